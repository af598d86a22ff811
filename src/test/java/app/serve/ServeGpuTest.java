package app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.cli.Main;
import app.train.ModelSpec;
import app.train.SavedModel;
import backprop.Network;
import cuda.Backend;
import cuda.CudaKernels;
import cuda.DeviceBuffer;
import cuda.Gpu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;

/**
 * {@code nabla serve --backend cuda} on a GPU: the checks of {@link ServeGpuForwardHostTest} and {@link ServingBackendTest}
 * with CUDA instead of the float[] twin (the products of the sgemm versions the shapes pick, CUDA's expf/tanhf), within
 * the same derived bound ({@link ForwardBound}). Skipped without a GPU; cuda/verify-gpu.sh's run selects it.
 */
class ServeGpuTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsGpu() {
        assumeTrue(Gpu.available(), () -> "no GPU: " + Gpu.probe().reason());
    }

    @Test
    void answersAsTheCpuWithinTheDerivedBound() {
        for (Object[] m : ServeGpuForwardHostTest.MODELS) {
            ModelSpec spec = ServeGpuForwardHostTest.spec(m);
            Network net = ServeGpuForwardHostTest.network(spec, 7);
            for (int batch : new int[] {8, 32}) {
                try (GpuForward<DeviceBuffer> gpu = new GpuForward<>(net, batch, new CudaKernels())) {
                    double worst = ServeGpuForwardHostTest.checkAgainstCpu(gpu, batch, spec, net, 11);
                    System.out.printf("ServeGpuTest: %s, graph of %d rows: largest difference %.3f of its bound%n", m[0], batch, worst);
                }
            }
        }
    }

    @Test
    void aRowsAnswerDoesNotDependOnTheRowsBesideIt() {
        ModelSpec spec = ServeGpuForwardHostTest.spec(ServeGpuForwardHostTest.MODELS[0]);
        Network net = ServeGpuForwardHostTest.network(spec, 3);
        try (GpuForward<DeviceBuffer> gpu = new GpuForward<>(net, 32, new CudaKernels())) {
            ServeGpuForwardHostTest.assertEachRowAsAlone(gpu, spec, new int[] {3, 32, 33, 70});
        }
    }

    @Test
    void aBatchAllocatesNothingOnTheHost() {
        ModelSpec spec = ServeGpuForwardHostTest.spec(ServeGpuForwardHostTest.MODELS[0]);
        Network net = ServeGpuForwardHostTest.network(spec, 9);
        int in = spec.inputs();
        float[] x = ServeGpuForwardHostTest.rows(70, in, new SplittableRandom(2));
        int[] sizes = {3, 32, 33, 70};
        Tensor[] batches = new Tensor[sizes.length];
        for (int i = 0; i < sizes.length; i++) batches[i] = Tensor.ofSlice(x, 0, sizes[i], in);
        try (GpuForward<DeviceBuffer> gpu = new GpuForward<>(net, 32, new CudaKernels())) {
            long allocated = ServeGpuForwardHostTest.leastBytesPer100Batches(gpu, batches);
            // one object a batch (a JCuda call that allocates, say) would be at least 16 B × 100
            assertTrue(allocated < 1024, allocated + " bytes allocated in 100 batches");
        }
    }

    @Test
    void aServerWithBackendCudaAnswersAsTheCpuServer() throws Exception {
        Path ck = dir.resolve("model.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"train", "--epochs", "1", "--batchnorm", "--dropout", "0.2", "--activation", "leaky-relu",
                "--checkpoint", ck.toString(), "--out", dir.toString(), "--backend", "cpu"}, p, p), log::toString);
        SavedModel model = SavedModel.load(ck);
        ServingBackend cuda = ServingBackend.choose("cuda", Map.of("digits", model));
        assertEquals(Backend.CUDA, cuda.backend());
        assertEquals("backend: cuda (" + Gpu.probe().device() + ")", cuda.line());
        ServingBackendTest.serversAgree(model, cuda);
    }
}
