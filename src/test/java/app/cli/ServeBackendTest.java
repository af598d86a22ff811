package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import cuda.Gpu;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla serve --backend}: cuda without a GPU exits 1 with one line that says why (no stack trace), an unknown
 * name is bad usage. (auto's line, "backend: cpu (cuda unavailable: ...)" before the URL, is held by ServeSignalTest on
 * a real process, and the choice itself by app.serve.ServingBackendTest.)
 */
class ServeBackendTest {
    @TempDir
    static Path dir;
    static Path checkpoint;

    @BeforeAll
    static void train() {
        checkpoint = dir.resolve("digits.safetensors");
        TrainCommandTest.run(0, "train", "--epochs", "1", "--checkpoint", checkpoint.toString(), "--out", dir.toString(), "--backend", "cpu");
    }

    @Test
    void cudaWithoutAGpuExitsOneWithTheReason() {
        assumeFalse(Gpu.available(), "this machine has a GPU (it would serve)");
        TrainCommandTest.Result r = TrainCommandTest.nabla("serve", "--backend", "cuda", "--checkpoint", checkpoint.toString(), "--port", "0");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals("nabla serve: --backend cuda: cuda unavailable: " + Gpu.probe().reason() + "\n", r.err());
        assertEquals("", r.out(), "nothing served, nothing printed");
    }

    @Test
    void anUnknownBackendIsBadUsage() {
        TrainCommandTest.Result r = TrainCommandTest.nabla("serve", "--backend", "tpu", "--checkpoint", checkpoint.toString(), "--port", "0");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("nabla serve: ") && r.err().contains("tpu") && r.err().lines().count() == 1, r.err());
    }
}
