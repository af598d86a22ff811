package cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.Parameter;
import backprop.Trainer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.ReLU;
import backprop.loss.Losses;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * The layers and losses beyond the MLP in {@link GpuMlp}'s step, without a GPU: the step on {@link HostKernels}
 * against the CPU {@link Trainer}.
 *
 * <p>Bit for bit where the operations are the same: a network without Dense layers (batch norm, leaky ReLU,
 * dropout) whose every kernel transcribes its CPU layer and whose loss gradient is the CPU's float expression
 * (mse, mse_half, sse, l1, hinge), so after several steps γ, β, their velocities, the running statistics and the
 * dropout masks behind them must be the CPU's bits; only the loss value differs, by the rounding of each row's sum
 * to float (see {@link #rowSumTolerance}). With Dense layers the products sum in another order, so each
 * comparison goes through {@link StepAgreement}'s tolerance, widened for batch norm as {@link BatchNormCondition}
 * derives and for the gradients that cancel as {@link CancellationBound} derives.
 */
class GpuMlpLayersHostTest {
    private static final double U = Math.ulp(1f) / 2;
    private static final StepAgreement.Setup BASE = StepAgreement.setup("13-11-7-5", "relu", 16, 0.05f, 0.9f, 1e-3f);
    private static final String[] LOSSES = {"ce", "nll", "mse", "mse_half", "sse", "l1", "bce_logits", "hinge"};

    /** Batch norm → leaky ReLU → dropout → batch norm on 6 features: γ and β the only parameters. */
    private static Network denseFree(float rate) {
        Network net = new Network(6).add(new BatchNorm(6)).add(new LeakyReLU(0.1f)).add(new Dropout(rate)).add(new BatchNorm(6, 1e-3f, 0.3f));
        SplittableRandom rng = new SplittableRandom(5);
        for (Parameter p : net.parameters()) {
            for (int i = 0; i < p.size(); i++) p.value().data()[i] = (float) rng.nextDouble(p.name().endsWith("gamma") ? 0.5 : -0.5, 1.5);
        }
        return net;
    }

    private static Tensor random(int rows, int cols, long seed, double lo, double hi) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = cols == 0 ? Tensor.zeros(rows) : Tensor.zeros(rows, cols);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rng.nextDouble(lo, hi);
        return t;
    }

    private static Tensor labels(int rows, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(rows);
        for (int r = 0; r < rows; r++) t.data()[r] = rng.nextInt(classes);
        return t;
    }

    /**
     * The loss of the mirror is Σ_r fl(s_r)·scale where s_r is a row's sum in double and fl its rounding to float;
     * the CPU's is the same terms summed in double at once. Each fl is off by at most u·|s_r|, every term is ≥ 0
     * for these losses, so the sums differ by at most u·E, plus the double roundings of the two sums of n terms,
     * each at most n·2⁻⁵³·E.
     */
    private static double rowSumTolerance(double e, int n) {
        return (U + 2 * n * 0x1p-53) * Math.abs(e);
    }

    /** Each loss with exact gradients on the Dense-free network, 6 steps at batch 9 (and a step of 3): the CPU's bits. */
    @Test
    void withoutDenseLayersEveryParameterStatisticAndMaskIsTheCpusBitForBit() {
        for (String name : new String[] {"mse", "mse_half", "sse", "l1", "hinge"}) {
            for (float rate : new float[] {0.3f, 0f}) {
                Network cpuNet = denseFree(rate), net = denseFree(rate);
                Sgd cpuSgd = new Sgd(cpuNet, 0.05f).momentum(0.9f).regularization(Regularization.of(1e-3f, 1e-2f).includeBiases());
                Sgd sgd = new Sgd(net, 0.05f).momentum(0.9f).regularization(Regularization.of(1e-3f, 1e-2f).includeBiases());
                Loss cpuLoss = Losses.byName(name);
                Trainer cpu = new Trainer(cpuNet, cpuLoss, cpuSgd);
                ((Dropout) cpuNet.layers().get(2)).reseed(77);
                try (GpuMlp<float[]> mirror = new GpuMlp<>(net, sgd, Losses.byName(name), 9, new HostKernels())) {
                    mirror.reseedDropout((Dropout) net.layers().get(2), 77);
                    for (int step = 0; step < 7; step++) {
                        int rows = step == 3 ? 3 : 9;
                        Tensor x = random(rows, 6, 10 + step, -2, 3);
                        Tensor y = name.equals("hinge") ? labels(rows, 6, 20 + step) : random(rows, 6, 20 + step, 0, 1);
                        double e = cpu.step(x, y), eMirror = mirror.step(x, y);
                        assertEquals(e, eMirror, rowSumTolerance(e, rows * 6), name + " loss of step " + step);
                    }
                    mirror.copyToNetwork();
                }
                String what = name + " at rate " + rate;
                assertSameState(cpuNet, cpuSgd, net, sgd, what);
            }
        }
    }

    /** Parameters, their gradients and velocities, and the batch norm layers' running statistics, bit for bit. */
    static void assertSameState(Network cpuNet, Sgd cpuSgd, Network net, Sgd sgd, String what) {
        for (Parameter p : cpuNet.parameters()) {
            Parameter q = net.parameter(p.name());
            assertArrayEquals(p.value().data(), q.value().data(), p.name() + " " + what);
            assertArrayEquals(p.gradient().data(), q.gradient().data(), p.name() + " gradient " + what);
            Tensor v = cpuSgd.velocity(p.name());
            if (v != null) assertArrayEquals(v.data(), sgd.velocity(p.name()).data(), p.name() + " velocity " + what);
        }
        for (int i = 0; i < cpuNet.layers().size(); i++) {
            if (cpuNet.layers().get(i) instanceof BatchNorm b) {
                BatchNorm m = (BatchNorm) net.layers().get(i);
                assertArrayEquals(b.runningMean().data(), m.runningMean().data(), b.name() + " running mean " + what);
                assertArrayEquals(b.runningVar().data(), m.runningVar().data(), b.name() + " running var " + what);
            }
        }
    }

    /** Every loss on a Dense network with leaky ReLU and dropout: StepAgreement's tolerance after 1 and 5 steps. */
    @Test
    void everyLossWithLeakyReluAndDropoutAgrees() {
        for (String loss : LOSSES) {
            StepAgreement.Setup s = BASE.withLoss(loss).withActivation("leaky-relu").withDropout(0.3f);
            if (loss.equals("sse")) s = s.withLearningRate(0.005f);  // not averaged: a batch of 16 takes a smaller rate
            assertTrue(StepAgreement.compare(s, new HostKernels(), 1, 5) <= 1, loss);
        }
    }

    /** Every loss with batch norm after each hidden Dense (and dropout 0.5): running statistics compared too. */
    @Test
    void everyLossWithBatchNormAndDropoutAgrees() {
        for (String loss : LOSSES) {
            StepAgreement.Setup s = BASE.withLoss(loss).withBatchNorm().withDropout(0.5f);
            if (loss.equals("sse")) s = s.withLearningRate(0.005f);
            assertTrue(StepAgreement.compare(s, new HostKernels(), 1, 5) <= 1, loss);
        }
    }

    @Test
    void batchNormWithFrozenLayersSoftTargetsAndTheShortestBatch() {
        StepAgreement.Setup bn = BASE.withBatchNorm();
        assertTrue(StepAgreement.compare(bn.withFrozen("dense0"), new HostKernels(), 1, 5) <= 1);   // first trainable: batchnorm1
        assertTrue(StepAgreement.compare(bn.withFrozen("batchnorm1"), new HostKernels(), 1, 5) <= 1);
        assertTrue(StepAgreement.compare(bn.withSoftTargets(), new HostKernels(), 1, 5) <= 1);
        assertTrue(StepAgreement.compare(bn.withBatch(2), new HostKernels(), 1, 5) <= 1);
        assertTrue(StepAgreement.compare(bn.withActivation("tanh").withDropout(0.2f), new HostKernels(), 1, 5) <= 1);
    }

    @Test
    void configBShapeWithBatchNormAndDropoutAgreesAfterOneStep() {
        // train's --batchnorm --dropout 0.2 on config B: 784-256-128-10 at batch 128
        StepAgreement.Setup b = StepAgreement.setup("784-256-128-10", "relu", 128, 0.05f, 0.9f, 0f).withBatchNorm().withDropout(0.2f);
        assertTrue(StepAgreement.compare(b, new HostKernels(), 1) <= 1);
    }

    /**
     * What a resumed run does between epochs: the mirror's state goes into the network and optimizer
     * (copyToNetwork: weights, γ, β, running statistics, velocities), a new mirror takes it up (copyFromNetwork) and
     * both reseed their dropout layers for the next epoch. The continued run is the uninterrupted one, bit for bit
     * (the same kernels on the same values).
     */
    @Test
    void aMirrorResumedFromTheNetworkBetweenEpochsContinuesBitForBit() {
        StepAgreement.Setup s = BASE.withBatchNorm().withDropout(0.3f).withActivation("leaky-relu");
        Tensor x = StepAgreement.inputs(s), y = StepAgreement.targets(s);
        Network whole = StepAgreement.network(s), resumed = StepAgreement.network(s);
        Sgd wholeSgd = StepAgreement.sgd(whole, s), resumedSgd = StepAgreement.sgd(resumed, s);
        try (GpuMlp<float[]> a = new GpuMlp<>(whole, wholeSgd, s.newLoss(), 16, new HostKernels())) {
            for (int epoch = 0; epoch < 2; epoch++) {
                reseed(whole, a, epoch);
                for (int step = 0; step < 3; step++) a.step(rotate(x, step), rotate(y, step));
            }
            a.copyToNetwork();
        }
        for (int epoch = 0; epoch < 2; epoch++) {
            try (GpuMlp<float[]> b = new GpuMlp<>(resumed, resumedSgd, s.newLoss(), 16, new HostKernels())) {
                reseed(resumed, b, epoch);
                for (int step = 0; step < 3; step++) b.step(rotate(x, step), rotate(y, step));
                b.copyToNetwork();
            }
        }
        assertSameState(whole, wholeSgd, resumed, resumedSgd, "after 2 epochs, the second on a new mirror");
        BatchNorm bn = (BatchNorm) resumed.layers().get(1);
        assertTrue(bn.runningMean().data()[0] != 0f && bn.runningVar().data()[0] != 1f, "the running statistics came back");
    }

    /** Epoch e's seeds for the dropout layers (as Training draws them), in the network and in the mirror. */
    private static void reseed(Network net, GpuMlp<?> mirror, int epoch) {
        int i = 0;
        for (Layer l : net.layers()) {
            if (l instanceof Dropout d) {
                long seed = 1000L * epoch + i++;
                d.reseed(seed);
                mirror.reseedDropout(d, seed);
            }
        }
    }

    /** A copy of t with its rows rotated by {@code by}: each step its own batch. */
    private static Tensor rotate(Tensor t, int by) {
        int rows = t.dim(0), width = t.rank() == 1 ? 1 : t.dim(1);
        Tensor out = t.rank() == 1 ? Tensor.zeros(rows) : Tensor.zeros(rows, width);
        for (int r = 0; r < rows; r++) System.arraycopy(t.data(), ((r + by) % rows) * width, out.data(), r * width, width);
        return out;
    }

    /**
     * Submitted steps alternate between two buffer slots, and so do the dropout stream positions: the pipelined
     * mirror (one step in flight) draws the masks the waiting one draws, and ends with the same bits.
     */
    @Test
    void pipelinedStepsDrawTheMasksOfWaitingOnes() {
        StepAgreement.Setup s = BASE.withBatchNorm().withDropout(0.4f).withLoss("mse");
        Network waitingNet = StepAgreement.network(s), pipedNet = StepAgreement.network(s);
        Sgd waitingSgd = StepAgreement.sgd(waitingNet, s), pipedSgd = StepAgreement.sgd(pipedNet, s);
        Tensor x = StepAgreement.inputs(s), y = StepAgreement.targets(s);
        try (GpuMlp<float[]> waiting = new GpuMlp<>(waitingNet, waitingSgd, s.newLoss(), 16, new HostKernels());
             GpuMlp<float[]> piped = new GpuMlp<>(pipedNet, pipedSgd, s.newLoss(), 16, new HostKernels())) {
            reseed(waitingNet, waiting, 0);
            reseed(pipedNet, piped, 0);
            double[] expected = new double[6];
            for (int step = 0; step < 6; step++) expected[step] = waiting.step(rotate(x, step), rotate(y, step));
            piped.submit(rotate(x, 0), rotate(y, 0));
            for (int step = 1; step < 6; step++) {
                piped.submit(rotate(x, step), rotate(y, step));
                assertEquals(expected[step - 1], piped.takeLoss(), "loss of step " + (step - 1));
            }
            assertEquals(expected[5], piped.takeLoss());
            waiting.copyToNetwork();
            piped.copyToNetwork();
        }
        assertSameState(waitingNet, waitingSgd, pipedNet, pipedSgd, "pipelined");
    }

    /**
     * predict runs evaluation mode: batch norm with the running statistics the steps left, dropout the identity. Against
     * the CPU network's predict after the same steps: the forward part of StepAgreement's bound, 2ρ'·max|z|, plus the
     * weights' own difference after 3 steps carried through (ρ' again: they differ by the step's rounding).
     */
    @Test
    void predictUsesTheRunningStatisticsAndNoDropout() {
        StepAgreement.Setup s = BASE.withBatchNorm().withDropout(0.5f);
        Network cpuNet = StepAgreement.network(s), net = StepAgreement.network(s);
        Trainer cpu = new Trainer(cpuNet, s.newLoss(), StepAgreement.sgd(cpuNet, s));
        Tensor x = StepAgreement.inputs(s), y = StepAgreement.targets(s);
        double rho = StepAgreement.rho(s) * BatchNormCondition.of(s, x).amplification();
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, s), s.newLoss(), 16, new HostKernels())) {
            StepAgreement.reseedDropouts(cpuNet, s, null);
            StepAgreement.reseedDropouts(net, s, mirror);
            for (int step = 0; step < 3; step++) {
                cpu.step(rotate(x, step), rotate(y, step));
                mirror.step(rotate(x, step), rotate(y, step));
            }
            Tensor gpu = mirror.predict(x).copy(), expected = cpuNet.predict(x);
            double tolerance = 4 * rho * StepAgreement.maxAbs(expected.data(), expected.size());
            for (int i = 0; i < expected.size(); i++) assertEquals(expected.data()[i], gpu.data()[i], tolerance, "output " + i);
            Tensor again = mirror.predict(x);
            assertArrayEquals(gpu.data(), java.util.Arrays.copyOf(again.data(), gpu.size()), "evaluation draws nothing");
        }
    }

    @Test
    void whatTheCpuRefusesTheMirrorRefusesBeforeQueueingAnything() {
        StepAgreement.Setup s = BASE.withBatchNorm().withDropout(0.5f);
        Network net = StepAgreement.network(s);
        HostKernels host = new HostKernels();
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, s), s.newLoss(), 16, host)) {
            IllegalStateException unseeded = assertThrows(IllegalStateException.class,
                    () -> mirror.step(StepAgreement.inputs(s), StepAgreement.targets(s)));
            assertTrue(unseeded.getMessage().startsWith("dropout layer dropout3 has no mask seed on the GPU"), unseeded.getMessage());
            StepAgreement.reseedDropouts(net, s, mirror);
            IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                    () -> mirror.step(Tensor.zeros(1, 13), Tensor.zeros(1)));
            assertEquals("batchnorm1 (BatchNorm): training needs more than 1 row per batch for a batch variance, got 1", one.getMessage());
            assertEquals(0, host.launches, "nothing ran");
            assertTrue(Double.isFinite(mirror.step(StepAgreement.inputs(s), StepAgreement.targets(s))), "and the mirror goes on");
            Dropout stranger = new Dropout(0.5f);
            assertThrows(IllegalArgumentException.class, () -> mirror.reseedDropout(stranger, 1));
        }
        Network plain = StepAgreement.network(BASE);
        try (GpuMlp<float[]> nll = new GpuMlp<>(plain, StepAgreement.sgd(plain, BASE), Losses.byName("hinge"), 4, new HostKernels())) {
            Tensor label = Tensor.zeros(4);
            label.data()[1] = 5f;
            assertEquals("loss hinge: label 5.0 at row 1 is outside the 5 classes [0, 5)",
                    assertThrows(IllegalArgumentException.class, () -> nll.step(Tensor.zeros(4, 13), label)).getMessage());
            assertEquals("loss hinge: needs [batch] class indices, got a target of shape [4, 5]",
                    assertThrows(IllegalArgumentException.class, () -> nll.step(Tensor.zeros(4, 13), Tensor.zeros(4, 5))).getMessage());
        }
        try (GpuMlp<float[]> mse = new GpuMlp<>(plain, StepAgreement.sgd(plain, BASE), Losses.byName("mse"), 4, new HostKernels())) {
            assertEquals("loss mse: target shape [4] does not fit a batch of 4 with 5 outputs (give [4, 5] rows)",
                    assertThrows(IllegalArgumentException.class, () -> mse.step(Tensor.zeros(4, 13), Tensor.zeros(4))).getMessage());
        }
    }

    @Test
    void onlyWhatHasNoKernelIsRefused() {
        Network plain = new Network(4).add(new Dense(4, 3)).add(new ReLU()).add(new Dense(3, 2));
        for (String loss : LOSSES) assertEquals(null, GpuMlp.unsupported(plain, Losses.byName(loss)), loss);
        Network all = new Network(4).add(new Dense(4, 3)).add(new BatchNorm(3)).add(new LeakyReLU()).add(new Dropout(0.5f))
                .add(new Dense(3, 2)).add(new backprop.layers.LogSoftmax());
        assertEquals(null, GpuMlp.unsupported(all, Losses.byName("nll")));
        assertEquals("loss weighted_softmax_ce has no GPU version",
                GpuMlp.unsupported(plain, new backprop.loss.ClassWeighted(Losses.byName("ce"), new float[] {1f, 2f})));
    }

    @Test
    void aStepWithBatchNormAndDropoutAllocatesNothingOnTheHost() {
        StepAgreement.Setup s = BASE.withBatchNorm().withDropout(0.5f).withLoss("nll");
        Network net = StepAgreement.network(s);
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, s), s.newLoss(), 16, new HostKernels())) {
            StepAgreement.reseedDropouts(net, s, mirror);
            Tensor x = StepAgreement.inputs(s), y = StepAgreement.targets(s);
            long allocated = StepAgreement.leastBytesPer100Steps(mirror, x, y);
            // the mirror's own bookkeeping (the kernels on float[] allocate nothing either): zero bytes expected; the
            // bound leaves room only for the measurement itself, far below one boxed value a step (100·16 bytes)
            assertTrue(allocated < 1024, allocated + " bytes allocated in 100 steps");
        }
    }
}
