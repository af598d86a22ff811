package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cuda.Gpu;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla train --backend auto|cpu|cuda}: the first line of the output, and cuda's failure without a GPU. */
class TrainBackendTest {
    @TempDir
    Path dir;

    private TrainCommandTest.Result train(String backend, String... more) {
        String[] args = {"train", "--backend", backend, "--model", "64-8-10", "--epochs", "1", "--out", dir.toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return nabla(all);
    }

    @Test
    void autoSaysWhichBackendInTheFirstLine() {
        TrainCommandTest.Result r = train("auto");
        assertEquals(0, r.exit(), r.err());
        String first = r.out().lines().findFirst().orElse("");
        if (Gpu.available()) {
            assertTrue(first.startsWith("backend: cuda ("), first);
        } else {
            assertEquals("backend: cpu (" + Gpu.probe().describe() + ")", first);
            assertTrue(first.startsWith("backend: cpu (cuda unavailable: "), first);
        }
        assertTrue(r.out().contains("test accuracy: "), r.out());
    }

    @Test
    void cpuIsRequested() {
        TrainCommandTest.Result r = train("CPU");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("backend: cpu (requested)\ndata: digits"), r.out());
    }

    @Test
    void cudaWithoutAGpuExitsOneWithTheReason() {
        assumeFalse(Gpu.available(), "this machine has a GPU");
        TrainCommandTest.Result r = train("cuda");
        assertEquals(1, r.exit(), r.out());
        assertEquals("nabla train: --backend cuda: cuda unavailable: " + Gpu.probe().reason() + "\n", r.err());
        assertEquals("", r.out(), "nothing trained, nothing printed");
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
    }

    @Test
    void cudaWithALossItDoesNotMirrorExitsOne() {
        // without a GPU the missing GPU is the reason; with one, the class-weighted loss (every layer has a GPU version)
        TrainCommandTest.Result r = train("cuda", "--balance", "weights");
        assertEquals(1, r.exit(), r.out());
        assertEquals(Gpu.available() ? "nabla train: backend cuda: loss weighted_softmax_ce has no GPU version; use --backend cpu\n"
                : "nabla train: --backend cuda: cuda unavailable: " + Gpu.probe().reason() + "\n", r.err());
    }

    @Test
    void cudaTrainsBatchNormDropoutAndLeakyReluOnTheGpu() {
        assumeTrue(Gpu.available(), "needs a GPU");
        TrainCommandTest.Result r = train("cuda", "--batchnorm", "--dropout", "0.2", "--activation", "leaky-relu", "--loss", "nll");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("backend: cuda ("), r.out());
        assertTrue(r.out().contains("test accuracy: "), r.out());
    }

    @Test
    void anUnknownBackendIsBadUsage() {
        TrainCommandTest.Result r = train("opencl");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--backend must be one of auto|cpu|cuda, got 'opencl'"), r.err());
        assertTrue(nabla("train", "--help").out().contains("--backend NAME"), "documented in --help");
    }
}
