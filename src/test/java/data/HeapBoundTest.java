package data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loaders' bound follows the heap: in a 96 MiB JVM, a header claiming 179 MiB of pixels is refused from the header. */
class HeapBoundTest {
    @TempDir Path dir;

    private void idxHeader(String name, int magic, int... dims) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(name)))) {
            out.writeInt(magic);
            for (int d : dims) out.writeInt(d);
        }
    }

    @Test
    void aDatasetTooBigForTheHeapIsRefusedFromItsHeader() throws Exception {
        idxHeader("train-images-idx3-ubyte", 0x803, 60000, 28, 28);
        idxHeader("train-labels-idx1-ubyte", 0x801, 60000);
        idxHeader("t10k-images-idx3-ubyte", 0x803, 10, 28, 28);
        idxHeader("t10k-labels-idx1-ubyte", 0x801, 10);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx96m", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), "app.cli.Main", "train", "--data", dir.toString(),
                "--out", dir.resolve("out").toString())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("train-images-idx3-ubyte: byte 4: 60000 images of 28x28 need 179.4 MiB as float32, more than the bound of"),
                out);
    }
}
