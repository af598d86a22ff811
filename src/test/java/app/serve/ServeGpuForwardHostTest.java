package app.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import app.train.ModelSpec;
import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
import backprop.init.Initializer;
import backprop.layers.BatchNorm;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Sgd;
import cuda.GpuMlp;
import cuda.HostKernels;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * {@code nabla serve --backend cuda}'s forward pass ({@link GpuForward} over an inference mirror, {@link
 * GpuMlp#forInference}) without a GPU: the mirror runs on the float[] twin of each kernel ({@link HostKernels}),
 * so what is tested here is the wiring (the captured evaluation graph, the pieces of a long batch, the rows past a
 * short one, the copies), held to the CPU's {@link ServingForward} within {@link ForwardBound}'s derived bound.
 * ServeGpuTest runs the same checks with CUDA where there is a GPU.
 */
class ServeGpuForwardHostTest {
    /** Every head and hidden layer train builds: ce, nll (LogSoftmax), mse (Softmax), bce, hinge; batch norm, dropout. */
    static final Object[][] MODELS = {
        {"784-256-128-10", "relu", "ce", 0f, false},
        {"64-37-10", "tanh", "nll", 0.25f, true},
        {"20-33-17-3", "leaky-relu", "mse", 0.25f, true},
        {"30-16-5", "sigmoid", "bce", 0f, false},
        {"12-9-4", "relu", "hinge", 0.5f, true},
    };

    static ModelSpec spec(Object[] m) {
        return new ModelSpec(ModelSpec.parseSizes((String) m[0]), (String) m[1], (String) m[2], (float) m[3], (boolean) m[4]);
    }

    /** The model's network with He weights, biases and batch norm's γ, β and running statistics away from their defaults. */
    static Network network(ModelSpec spec, long seed) {
        Network net = spec.build();
        net.initialize(Initializer.HE_NORMAL, seed);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        for (Parameter p : net.parameters()) {
            float[] v = p.value().data();
            for (int i = 0; i < v.length; i++) v[i] += (float) (0.1 * rng.nextGaussian());
        }
        for (Layer l : net.layers()) {
            if (l instanceof BatchNorm bn) {
                float[] mean = bn.runningMean().data(), var = bn.runningVar().data();
                for (int j = 0; j < mean.length; j++) {
                    mean[j] = (float) (0.5 * rng.nextGaussian());
                    var[j] = (float) (0.2 + rng.nextDouble() * 3);
                }
            }
        }
        return net;
    }

    /**
     * The bytes this thread allocates in 100 forwards cycling through {@code batches}: the least of three
     * windows after one of warm-up, so an allocation a batch shows in each and a one-off event of the JIT in one.
     */
    static long leastBytesPer100Batches(ModelForward forward, Tensor[] batches) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double sum = 0;
        long allocated = Long.MAX_VALUE;
        for (int window = 0; window < 4; window++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100; i++) sum += forward.forward(batches[i % batches.length]).data()[0];
            if (window > 0) allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
        }
        if (Double.isNaN(sum)) throw new AssertionError("a forward answered NaN");
        return allocated;
    }

    static float[] rows(int rows, int in, SplittableRandom rng) {
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    /**
     * Holds a GPU forward's outputs and answers to the CPU's for batches of 1..40 rows (through pieces of 8), each
     * element within the bound derived for its row; returns the largest ratio of a difference to its bound.
     */
    static double checkAgainstCpu(ModelForward gpu, int batch, ModelSpec spec, Network net, long seed) {
        ServingForward cpu = new ServingForward(net);
        int in = spec.inputs(), k = spec.outputs();
        SplittableRandom rng = new SplittableRandom(seed);
        double worst = 0;
        double[] pCpu = new double[k], pGpu = new double[k];
        for (int rows : new int[] {1, 2, 3, batch - 1, batch, batch + 1, 2 * batch + 1, 5 * batch}) {
            float[] x = rows(rows, in, rng);
            Tensor want = cpu.forward(Tensor.ofSlice(x.clone(), 0, rows, in)).copy();
            Tensor got = gpu.forward(Tensor.ofSlice(x.clone(), 0, rows, in));
            assertArrayEquals(new int[] {rows, k}, got.shape());
            for (int r = 0; r < rows; r++) {
                double[] e = ForwardBound.outputs(net, x, r * in);
                for (int c = 0; c < k; c++) worst = Math.max(worst, check(spec + " output", rows, r, c, got.get(r, c), want.get(r, c), e[c]));
                spec.probabilities(want, r, pCpu);
                spec.probabilities(got, r, pGpu);
                double[] b = ForwardBound.probabilities(spec, net, x, r * in, pCpu);
                // the answer is the probability as a float, as Batcher writes it
                for (int c = 0; c < k; c++) worst = Math.max(worst, check(spec + " answer", rows, r, c, (float) pGpu[c], (float) pCpu[c], b[c]));
            }
        }
        return worst;
    }

    private static double check(String what, int rows, int r, int c, float got, float want, double bound) {
        double diff = Math.abs((double) got - want);
        if (!(diff <= bound)) fail(what + " of row " + r + " of " + rows + ", class " + c + ": GPU " + got + ", CPU " + want + ", bound " + bound);
        return bound == 0 ? 0 : diff / bound;
    }

    @Test
    void answersAsTheCpuWithinTheDerivedBound() {
        for (Object[] m : MODELS) {
            ModelSpec spec = spec(m);
            Network net = network(spec, 7);
            try (GpuForward<float[]> gpu = new GpuForward<>(net, 8, new HostKernels())) {
                double worst = checkAgainstCpu(gpu, 8, spec, net, 11);
                System.out.printf("ServeGpuForwardHostTest: %s: largest difference %.3f of its bound%n", m[0], worst);
            }
        }
    }

    @Test
    void aRowsAnswerDoesNotDependOnTheRowsBesideIt() {
        ModelSpec spec = spec(MODELS[1]);
        Network net = network(spec, 3);
        try (GpuForward<float[]> gpu = new GpuForward<>(net, 8, new HostKernels())) {
            assertEachRowAsAlone(gpu, spec, new int[] {3, 8, 13, 20});
        }
    }

    /** One row's answer, alone and placed near the end of batches of {@code sizes} rows (the later pieces of a long one), bit for bit. */
    static void assertEachRowAsAlone(ModelForward gpu, ModelSpec spec, int[] sizes) {
        int in = spec.inputs(), k = spec.outputs();
        SplittableRandom rng = new SplittableRandom(5);
        float[] row = rows(1, in, rng);
        float[] alone = gpu.forward(Tensor.ofSlice(row.clone(), 0, 1, in)).copy().data();
        for (int rows : sizes) {
            float[] x = rows(rows, in, rng);
            int at = rows - 2;
            System.arraycopy(row, 0, x, at * in, in);
            Tensor y = gpu.forward(Tensor.ofSlice(x, 0, rows, in));
            for (int c = 0; c < k; c++) {
                assertEquals(Float.floatToRawIntBits(alone[c]), Float.floatToRawIntBits(y.get(at, c)), "row " + at + " of " + rows + ", class " + c);
            }
        }
    }

    @Test
    void aBatchAllocatesNothingOnTheHost() {
        ModelSpec spec = spec(MODELS[2]);
        Network net = network(spec, 9);
        int in = spec.inputs();
        float[] x = rows(40, in, new SplittableRandom(2));
        int[] sizes = {3, 8, 17, 40};
        Tensor[] batches = new Tensor[sizes.length];
        for (int i = 0; i < sizes.length; i++) batches[i] = Tensor.ofSlice(x, 0, sizes[i], in);
        HostKernels host = new HostKernels();
        try (GpuForward<float[]> gpu = new GpuForward<>(net, 8, host)) {
            // built: the page-locked staging buffers have their final size and the graph has run (on the GPU its
            // first launch uploads it), so the first request pays neither; nor does any later one, whatever its rows
            int growths = host.stagingGrowths;
            assertEquals(3, growths, "the input's two staging buffers and the output's, each grown once");
            assertTrue(host.launches >= 1, "the graph ran before the first request");
            for (int rows = 1; rows <= 40; rows++) gpu.forward(Tensor.ofSlice(x, 0, rows, in));
            assertEquals(growths, host.stagingGrowths, "a request grew a staging buffer");
            long allocated = leastBytesPer100Batches(gpu, batches);
            // one object a batch would be at least 16 B × 100
            assertTrue(allocated < 1024, allocated + " bytes allocated in 100 batches");
        }
    }

    @Test
    void anInferenceMirrorOnlyAnswersAndATrainingOneDoesNotInfer() {
        ModelSpec spec = spec(MODELS[0]);
        Network net = network(spec, 1);
        float[] x = new float[9 * 784], out = new float[9 * 10];
        try (GpuMlp<float[]> mlp = GpuMlp.forInference(net, 8, new HostKernels())) {
            assertThrows(IllegalArgumentException.class, () -> mlp.infer(x, 0, 9, out, 0), "more rows than the graph's batch");
            assertThrows(IllegalArgumentException.class, () -> mlp.infer(x, 0, 0, out, 0));
            assertThrows(IllegalArgumentException.class, () -> mlp.infer(x, 785, 8, out, 0), "past the input");
            assertThrows(IllegalArgumentException.class, () -> mlp.infer(x, 0, 8, out, 11), "past the output");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> mlp.step(Tensor.ofSlice(x, 0, 8, 784), Tensor.zeros(8)));
            assertEquals("a mirror for inference (GpuMlp.forInference) does not train", e.getMessage());
        }
        try (GpuMlp<float[]> training = new GpuMlp<>(net, new Sgd(net, 0.1f), new SoftmaxCrossEntropy(), 8, new HostKernels())) {
            assertThrows(IllegalStateException.class, () -> training.infer(x, 0, 8, out, 0));
        }
    }
}
