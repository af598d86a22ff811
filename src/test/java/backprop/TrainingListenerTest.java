package backprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Sgd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/** The one epoch driver tells its listeners every step and epoch, in order, and allocates nothing per step to do so. */
class TrainingListenerTest {
    private static final int ROWS = 100, FEATURES = 8, CLASSES = 3, BATCH = 16;

    private static Trainer trainer() {
        Network net = new Network(FEATURES).add(new Dense(FEATURES, 12)).add(new ReLU()).add(new Dense(12, CLASSES))
                .initialize(Initializer.HE_NORMAL, 3);
        return new Trainer(net, new SoftmaxCrossEntropy(), new Sgd(net, 0.1f));
    }

    private static Tensor x() {
        SplittableRandom r = new SplittableRandom(1);
        float[] d = new float[ROWS * FEATURES];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, ROWS, FEATURES);
    }

    private static Tensor y() {
        float[] d = new float[ROWS];
        for (int i = 0; i < ROWS; i++) d[i] = i % CLASSES;
        return Tensor.of(d, ROWS);
    }

    @Test
    void everyStepAndEpochIsToldInOrder() {
        List<String> events = new ArrayList<>();
        List<EpochMetrics> epochs = new ArrayList<>();
        double[] lastEpochLoss = new double[1];
        Trainer t = trainer().validation(() -> new EpochLoop.Measured(0.5, 0.75)).addListener(new TrainingListener() {
            @Override public void onEpochStart(int epoch, int batches) { events.add("start " + epoch + " " + batches); }
            @Override public void onTrainingBatch(int epoch, long step, int batch, int rows, double loss, double epochLoss, long examples) {
                events.add("batch " + epoch + " " + step + " " + batch + " " + rows + " " + examples);
                lastEpochLoss[0] = epochLoss;
            }
            @Override public void onEpochTrained(int epoch) { events.add("trained " + epoch); }
            @Override public void onEpoch(EpochMetrics m) { events.add("epoch " + m.epoch()); epochs.add(m); }
        });
        SplittableRandom shuffle = new SplittableRandom(5);
        double first = t.epoch(x(), y(), BATCH, shuffle);
        t.epoch(x(), y(), BATCH, shuffle);
        // 100 rows in batches of 16: 7 steps, the last of 4 rows; steps count on over the run
        assertEquals("start 1 7", events.get(0));
        assertEquals("batch 1 1 1 16 16", events.get(1));
        assertEquals("batch 1 7 7 4 100", events.get(7));
        assertEquals("trained 1", events.get(8));
        assertEquals("epoch 1", events.get(9));
        assertEquals("start 2 7", events.get(10));
        assertEquals("batch 2 8 1 16 16", events.get(11));
        assertEquals(20, events.size());
        EpochMetrics m = epochs.get(0);
        assertEquals(first, m.trainLoss(), 0.0, "the epoch's mean loss, as epoch() returns it");
        assertEquals(7, m.steps());
        assertEquals(0.5, m.valLoss(), 0.0);
        assertEquals(0.75, m.valAccuracy(), 0.0);
        assertEquals(0.1, m.learningRate(), 0.0, "the float rate as written");
        assertEquals(14, epochs.get(1).steps());
        assertEquals(epochs.get(1).trainLoss(), lastEpochLoss[0], 0.0, "the last running mean is the epoch's mean");
    }

    @Test
    void aListenerCanAskTheRunToStop() {
        EpochLoop<Tensor> loop = new EpochLoop<>();
        assertTrue(!loop.stopRequested());
        loop.addListener(new TrainingListener() {
            @Override public boolean stopRequested() { return true; }
        });
        assertTrue(loop.stopRequested());
    }

    @Test
    void tellingTheListenersAllocatesNothingPerStep() throws Exception {
        // without C2 (the C1-only runs of the suite) there is no escape analysis: short-lived views are real allocations
        Assumptions.assumeTrue(kernels.Simd.ON, "allocation is measured on a JVM with C2");
        // a GEMM tile wider than the machine's vectors (the suite's forced 6x4v run on AVX2) boxes its vectors
        Assumptions.assumeTrue(System.getProperty("nabla.gemm.tile") == null, "allocation is measured with the machine's own tile");
        // in a JVM of its own: this one carries the fuzzers' agent and every other test's classes, which allocate in hooks
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules=jdk.incubator.vector", "-Dnabla.warmup=off",
                "-cp", System.getProperty("java.class.path"), StepAllocationMain.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String[] last = out.strip().lines().reduce((a, b) -> b).orElse("").split(" ");
        long perStep = Long.parseLong(last[0]);
        // an epoch allocates its EpochMetrics record (~200 bytes): 2 bytes a step; a boxed argument per call would be 16+,
        // and so was Dense.parameters()'s List.of per backward pass (24 bytes a step, fixed with this test)
        assertTrue(perStep < 8, perStep + " bytes a step: " + out);
        assertEquals(Long.parseLong(last[2]) * ROWS, Long.parseLong(last[1]), "the listener was told every row");
    }
}
