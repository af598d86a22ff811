package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cuda.Gpu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** ./nabla gpu-info: the probe's line and the backend auto picks; exit 0 with or without a GPU. */
class GpuInfoCommandTest {
    @Test
    void printsTheProbeAndTheAutoBackend() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"gpu-info"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.startsWith(Gpu.probe().describe() + "\n"), text);
        assertTrue(text.contains(Gpu.available() ? "backend: cuda (" : "backend: cpu (cuda unavailable: "), text);
    }

    @Test
    void argumentsAreBadUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"gpu-info", "--verbose"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("gpu-info takes no arguments"));
    }
}
