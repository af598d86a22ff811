package cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.Network;
import backprop.Parameter;
import backprop.Trainer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.ReLU;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.List;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * {@link GpuMlp} without a GPU: its step run with {@link HostKernels} (each CUDA kernel's formula on
 * float[]) held to the CPU step ({@link StepAgreement}, whose tolerance is explained there), which tests
 * everything of the mirror but the kernels themselves (the emulation and CudaOpsGpuTest test those): the
 * order of the stages, each product's shapes and transposes, the bias, the first layer's skipped input
 * gradient, frozen layers, the optimizer's convention, batches of another size, the copies both ways.
 */
class GpuMlpHostTest {
    private static final StepAgreement.Setup RELU = StepAgreement.setup("13-11-7-5", "relu", 16, 0.05f, 0.9f, 1e-3f);

    @Test
    void reluMlpAgreesAfterOneAndFiveSteps() {
        assertTrue(StepAgreement.compare(RELU, new HostKernels(), 1, 5) <= 1);
    }

    @Test
    void tanhAndSigmoidMlpsAgree() {
        assertTrue(StepAgreement.compare(StepAgreement.setup("9-17-3", "tanh", 8, 0.1f, 0.5f, 0f), new HostKernels(), 1, 5) <= 1);
        assertTrue(StepAgreement.compare(StepAgreement.setup("9-6-6-4", "sigmoid", 5, 0.5f, 0f, 0f), new HostKernels(), 1, 5) <= 1);
    }

    @Test
    void l1SoftTargetsAndABatchOfOne() {
        StepAgreement.Setup l1 = new StepAgreement.Setup(RELU.sizes(), "relu", 16, 0.05f, 0.9f, 1e-3f, 1e-3f, false, null, 11);
        assertTrue(StepAgreement.compare(l1, new HostKernels(), 1, 5) <= 1);
        assertTrue(StepAgreement.compare(RELU.withSoftTargets(), new HostKernels(), 1, 5) <= 1);
        assertTrue(StepAgreement.compare(RELU.withBatch(1), new HostKernels(), 1, 5) <= 1);
    }

    @Test
    void frozenLayersStayAndTheRestAgrees() {
        assertTrue(StepAgreement.compare(RELU.withFrozen("dense0"), new HostKernels(), 1, 5) <= 1);
        assertTrue(StepAgreement.compare(RELU.withFrozen("dense2.weight"), new HostKernels(), 1, 5) <= 1);
        Network net = StepAgreement.network(RELU.withFrozen("dense0"));
        float[] before = net.parameter("dense0.weight").value().data().clone();
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, RELU), new SoftmaxCrossEntropy(), 16, new HostKernels())) {
            mirror.step(StepAgreement.inputs(RELU), StepAgreement.targets(RELU));
            mirror.copyToNetwork();
        }
        assertArrayEquals(before, net.parameter("dense0.weight").value().data(), "a frozen weight is not updated");
    }

    @Test
    void configBShapeAgreesAfterOneStep() {
        // 784-256-128-10 at batch 128, momentum 0.9, lr 0.05: the products of the benchmark's epoch
        assertTrue(StepAgreement.compare(StepAgreement.setup("784-256-128-10", "relu", 128, 0.05f, 0.9f, 0f), new HostKernels(), 1) <= 1);
    }

    @Test
    void aShorterBatchThenALongerOneThanTheBuffers() {
        StepAgreement.Setup s = RELU.withBatch(6);
        Network cpuNet = StepAgreement.network(s), net = StepAgreement.network(s);
        backprop.Trainer cpu = new backprop.Trainer(cpuNet, new SoftmaxCrossEntropy(), StepAgreement.sgd(cpuNet, s));
        HostKernels host = new HostKernels();
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, s), new SoftmaxCrossEntropy(), 4, host)) {
            for (int batch : new int[] {3, 6, 2}) {  // within the buffers, beyond them (they grow), within again
                StepAgreement.Setup b = s.withBatch(batch);
                Tensor x = StepAgreement.inputs(b), y = StepAgreement.targets(b);
                double e = mirror.step(x, y), eCpu = cpu.step(x, y);
                // one step's loss: the tolerance of StepAgreement (2ρ·(max|z| + E)), with max|z| ≤ 10 here
                assertEquals(eCpu, e, 2 * StepAgreement.rho(b) * (10 + eCpu), "batch " + batch);
            }
            mirror.copyToNetwork();
            Tensor logits = mirror.predict(StepAgreement.inputs(s));
            Tensor cpuLogits = cpuNet.predict(StepAgreement.inputs(s));
            assertArrayEquals(cpuNet.parameter("dense4.bias").value().data(), net.parameter("dense4.bias").value().data(), 1e-5f);
            for (int i = 0; i < logits.size(); i++) {
                // three steps' differences in the weights (each within ~1e-6 of weights of ~1) through three layers
                assertEquals(cpuLogits.data()[i], logits.data()[i], 1e-4, "logit " + i);
            }
        }
        assertEquals(0, host.liveBuffers, "close() frees every buffer, including those the growth replaced");
    }

    @Test
    void aStepAllocatesNothingOnTheHost() {
        Network net = StepAgreement.network(RELU);
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, RELU), new SoftmaxCrossEntropy(), 16, new HostKernels())) {
            Tensor x = StepAgreement.inputs(RELU), y = StepAgreement.targets(RELU);
            long allocated = StepAgreement.leastBytesPer100Steps(mirror, x, y);
            // the mirror's own bookkeeping (the kernels on float[] allocate nothing either): zero bytes expected; the
            // bound leaves room only for the measurement itself, far below one boxed value a step (100·16 bytes)
            assertTrue(allocated < 1024, allocated + " bytes allocated in 100 steps");
        }
    }

    @Test
    void copyFromNetworkSendsChangedWeightsUp() {
        Network net = StepAgreement.network(RELU);
        Sgd sgd = StepAgreement.sgd(net, RELU);
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, sgd, new SoftmaxCrossEntropy(), 16, new HostKernels())) {
            Tensor x = StepAgreement.inputs(RELU);
            Tensor before = mirror.predict(x).copy();
            for (Parameter p : net.parameters()) p.value().fill(0f);
            mirror.copyFromNetwork();
            Tensor after = mirror.predict(x);
            for (int i = 0; i < after.size(); i++) assertEquals(0f, after.data()[i], "all weights and biases 0: logits 0");
            assertTrue(before.data()[0] != 0f);
        }
    }

    @Test
    void velocityGoesUpAndComesBack() {
        Network net = StepAgreement.network(RELU);
        Sgd sgd = StepAgreement.sgd(net, RELU);
        sgd.velocity("dense0.bias").fill(0.25f);  // as a resumed run's momentum buffer
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, sgd, new SoftmaxCrossEntropy(), 16, new HostKernels())) {
            sgd.velocity("dense0.bias").fill(-1f);
            mirror.copyToNetwork();
            for (float v : sgd.velocity("dense0.bias").data()) assertEquals(0.25f, v);
        }
    }

    @Test
    void sgdTwinIsSgdBitForBit() {
        // what sgd_momentum.cu computes (HostKernels' transcription) against backprop.optim.Sgd, 3 steps
        int n = 37;
        float[] w = new float[n], g = new float[n], v = new float[n];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < n; i++) w[i] = i % 7 == 0 ? 0f : (float) rng.nextDouble(-1, 1);
        Parameter p = new Parameter("weight", Tensor.of(w.clone(), n), true);
        Sgd sgd = new Sgd(List.of(p), 0.1f).momentum(0.9f).regularization(Regularization.of(1e-4f, 1e-3f));
        HostKernels twin = new HostKernels();
        for (int step = 0; step < 3; step++) {
            for (int i = 0; i < n; i++) g[i] = p.gradient().data()[i] = (float) rng.nextDouble(-1, 1);
            sgd.step();
            twin.sgdMomentum(n, 0.1f, 0.9f, 1e-4f, 1e-3f, w, g, v);
            assertArrayEquals(p.value().data(), w, "step " + step);
            assertArrayEquals(sgd.velocity("weight").data(), v, "step " + step);
        }
    }

    @Test
    void layersAndLossesWithoutAGpuVersionAreNamed() {
        Network own = new Network(4).add(new Dense(4, 3)).add(new UnmirroredLayer()).add(new ReLU()).add(new Dense(3, 2));
        assertEquals("layer identity1 has no GPU version", GpuMlp.unsupported(own, new SoftmaxCrossEntropy()));
        Network ok = new Network(4).add(new Dense(4, 3)).add(new BatchNorm(3)).add(new LeakyReLU()).add(new Dropout(0.5f)).add(new Dense(3, 2));
        assertNull(GpuMlp.unsupported(ok, new SoftmaxCrossEntropy()));
        assertEquals("loss weighted_softmax_ce has no GPU version",
                GpuMlp.unsupported(ok, new backprop.loss.ClassWeighted(new SoftmaxCrossEntropy(), new float[] {1f, 3f})));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new GpuMlp<>(own, new Sgd(own, 0.1f), new SoftmaxCrossEntropy(), 8, new HostKernels()));
        assertEquals("layer identity1 has no GPU version", e.getMessage());
    }

    @Test
    void badBatchesAreNamed() {
        Network net = StepAgreement.network(RELU);
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, RELU), new SoftmaxCrossEntropy(), 16, new HostKernels())) {
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                    () -> mirror.step(Tensor.zeros(4, 12), Tensor.zeros(4)));
            assertEquals("GPU network input: expected a row-major batch [batch >= 1, 13] but got [4, 12]", wide.getMessage());
            Tensor labels = Tensor.zeros(4);
            labels.data()[2] = 5f;
            IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> mirror.step(Tensor.zeros(4, 13), labels));
            assertEquals("loss softmax_ce: label 5.0 at row 2 is outside the 5 classes [0, 5)", label.getMessage());
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> mirror.step(Tensor.zeros(4, 13), Tensor.zeros(3)));
            assertEquals("loss softmax_ce: 3 labels for a batch of 4", count.getMessage());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> mirror.step(Tensor.zeros(4, 13), Tensor.zeros(4, 4)));
            assertTrue(shape.getMessage().startsWith("loss softmax_ce: target shape [4, 4] does not fit a batch of 4 with 5 classes"),
                    shape.getMessage());
        }
    }

    @Test
    void theSgemmVersionBySizeOfTheGrid() {
        // 132 SMs (H100): v6 from 33 blocks of 128×128 on (1024² is 64, 784×2048 is 7·16 = 112); config B's products
        // have at most 14 (256×784) and go to v7
        assertEquals(SgemmVersion.V7_SPLIT_K, SgemmVersion.forShape(128, 256, 132));
        assertEquals(SgemmVersion.V7_SPLIT_K, SgemmVersion.forShape(256, 784, 132));
        assertEquals(SgemmVersion.V7_SPLIT_K, SgemmVersion.forShape(512, 1024, 132));   // 32 blocks
        assertEquals(SgemmVersion.V6_DOUBLE_BUFFERED, SgemmVersion.forShape(1024, 1024, 132));
        assertEquals(SgemmVersion.V6_DOUBLE_BUFFERED, SgemmVersion.forShape(784, 2048, 132));
        assertEquals(SgemmVersion.V6_DOUBLE_BUFFERED, SgemmVersion.forShape(2048, 2048, 132));
        assertEquals(SgemmVersion.V6_DOUBLE_BUFFERED, SgemmVersion.forShape(1, 1, 1));
    }

    @Test
    void v7SlicesKUntilEverySmHasABlockButKeepsSlicesTwoTilesDeep() {
        SgemmVersion v7 = SgemmVersion.V7_SPLIT_K;
        // config B at batch 128 on 132 SMs: x·W1ᵀ has 4·8 = 32 tiles → 5 slices (160 blocks), each 5 tiles of k (784)
        assertEquals(5, v7.slices(128, 256, 784, 132));
        assertEquals(4, v7.slices(128, 128, 256, 132));  // 16 tiles; k = 256 allows 4 slices of 2 tiles
        assertEquals(2, v7.slices(128, 10, 128, 132));
        assertEquals(1, v7.slices(128, 128, 10, 132));    // k shorter than two tiles: one slice
        assertEquals(1, v7.slices(256, 784, 128, 132));   // 200 tiles fill the SMs already
        assertEquals(64, v7.slices(1, 1, 1 << 20, 132));  // at most 64
        assertEquals(9, v7.slices(32, 32, 784, 132));     // 12 would leave 3 of 96-deep slices empty: 9
        assertEquals(1, SgemmVersion.V6_DOUBLE_BUFFERED.slices(128, 256, 784, 132));
        assertEquals(1, SgemmVersion.V2_SMEM_TILED.slices(128, 256, 784, 132));
    }

    /**
     * A graph replays the settings of its capture, so the mirror captures again after each change: one
     * graph a batch size, a new one after a new learning rate, momentum, L2 or a frozen layer; and each
     * step then trains as the CPU step with the settings of that moment (StepAgreement's tolerance).
     */
    @Test
    void aNewGraphForEachBatchSizeAndAfterEachChangeOfTheSettings() {
        Network net = StepAgreement.network(RELU), cpuNet = StepAgreement.network(RELU);
        Sgd sgd = StepAgreement.sgd(net, RELU), cpuSgd = StepAgreement.sgd(cpuNet, RELU);
        Trainer cpu = new Trainer(cpuNet, new SoftmaxCrossEntropy(), cpuSgd);
        HostKernels host = new HostKernels();
        Tensor x = StepAgreement.inputs(RELU), y = StepAgreement.targets(RELU);
        Tensor xShort = Tensor.ofSlice(x.data(), 0, 7, x.dim(1)), yShort = Tensor.ofSlice(y.data(), 0, 7);
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, sgd, new SoftmaxCrossEntropy(), 16, host)) {
            // steps alternate between two buffer slots (the next batch goes up while the GPU computes the last),
            // so a batch size has a graph in each slot; a change of the settings drops them all
            int[] expectedCaptures = {1, 2, 2, 3, 4, 4, 5, 6, 7, 8};
            for (int step = 0; step < expectedCaptures.length; step++) {
                switch (step) {
                    case 6 -> { sgd.setLearningRate(0.02f); cpuSgd.setLearningRate(0.02f); }
                    case 7 -> { sgd.momentum(0.5f); cpuSgd.momentum(0.5f); }
                    case 8 -> { net.freeze("dense0"); cpuNet.freeze("dense0"); }
                    case 9 -> { sgd.regularization(Regularization.of(0f, 2e-3f)); cpuSgd.regularization(Regularization.of(0f, 2e-3f)); }
                    default -> { }
                }
                boolean shortBatch = step == 3 || step == 4;
                // each step its own batch (rows rotated by the step), so a graph that read another slot's buffer would show
                Tensor xs = rotateRows(shortBatch ? xShort : x, step), ys = rotateRows(shortBatch ? yShort : y, step);
                assertEquals(cpu.step(xs, ys), mirror.step(xs, ys), 1e-5, "loss of step " + step);
                assertEquals(expectedCaptures[step], mirror.graphsCaptured(), "graphs captured after step " + step);
            }
            assertEquals(expectedCaptures.length, host.launches, "one launch a step");
            mirror.copyToNetwork();
            for (Parameter p : cpuNet.parameters()) {
                float[] expected = p.value().data(), got = net.parameter(p.name()).value().data();
                for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 1e-5, p.name() + "[" + i + "]");
            }
        }
    }

    /** A copy of t (rank 1 or 2) with its rows rotated: row r of the copy is row (r + by) mod rows of t. */
    private static Tensor rotateRows(Tensor t, int by) {
        int rows = t.dim(0), width = t.rank() == 1 ? 1 : t.dim(1);
        Tensor out = t.rank() == 1 ? Tensor.zeros(rows) : Tensor.zeros(rows, width);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(t.data(), t.offset() + ((r + by) % rows) * width, out.data(), r * width, width);
        }
        return out;
    }

    /** Whether L1/L2 reach the biases is baked into a graph too: the same λ with biases included captures anew. */
    @Test
    void aRegularizationThatNowCoversTheBiasesCapturesAgain() {
        Network net = StepAgreement.network(RELU);
        Sgd sgd = StepAgreement.sgd(net, RELU);
        Tensor x = StepAgreement.inputs(RELU), y = StepAgreement.targets(RELU);
        try (GpuMlp<float[]> mirror = new GpuMlp<>(net, sgd, new SoftmaxCrossEntropy(), 16, new HostKernels())) {
            mirror.step(x, y);
            mirror.step(x, y);
            mirror.step(x, y);
            assertEquals(2, mirror.graphsCaptured());
            sgd.regularization(Regularization.of(0f, 1e-3f).includeBiases());
            mirror.step(x, y);
            assertEquals(3, mirror.graphsCaptured());
        }
    }

    /**
     * A mirror whose construction fails (cuMemAlloc out of memory at any of its allocations, or the evaluation graph's
     * capture) frees every buffer it had taken, including those of a stage that was half built, and rethrows the
     * failure: a server that falls back to the CPU, or retries, does not leak device memory.
     */
    @Test
    void aConstructionThatFailsAnywhereFreesWhatItTook() {
        Network net = new Network(9).add(new Dense(9, 7)).add(new BatchNorm(7)).add(new LeakyReLU(0.1f)).add(new Dropout(0.2f))
                .add(new Dense(7, 3));
        HostKernels counting = new HostKernels();
        new GpuMlp<>(net, new Sgd(net, 0.1f).momentum(0.9f), new SoftmaxCrossEntropy(), 4, counting).close();
        long trainingAllocations = counting.allocations;
        counting = new HostKernels();
        GpuMlp.forInference(net, 4, counting).close();
        long inferenceAllocations = counting.allocations;
        assertTrue(trainingAllocations > inferenceAllocations && inferenceAllocations > 8, trainingAllocations + ", " + inferenceAllocations);
        for (long k = 0; k < trainingAllocations; k++) {
            HostKernels host = new HostKernels();
            host.failAllocation = k;
            CudaCallException e = assertThrows(CudaCallException.class,
                    () -> new GpuMlp<>(net, new Sgd(net, 0.1f).momentum(0.9f), new SoftmaxCrossEntropy(), 4, host));
            assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
            assertEquals(0, host.liveBuffers, "training mirror, allocation " + k + " failing");
        }
        for (long k = 0; k < inferenceAllocations; k++) {
            HostKernels host = new HostKernels();
            host.failAllocation = k;
            assertThrows(CudaCallException.class, () -> GpuMlp.forInference(net, 4, host));
            assertEquals(0, host.liveBuffers, "inference mirror, allocation " + k + " failing");
        }
        HostKernels host = new HostKernels();
        host.failCapture = true;
        assertEquals("cuStreamEndCapture failed: CUDA_ERROR_OUT_OF_MEMORY (injected)",
                assertThrows(CudaCallException.class, () -> GpuMlp.forInference(net, 4, host)).getMessage());
        assertEquals(0, host.liveBuffers, "the evaluation graph's capture failing");
    }

    /** After a failed step the next one is still in flight: discardInFlight waits for it, and the mirror goes on. */
    @Test
    void discardInFlightLeavesAUsableMirrorAndCloseWaitsForRunningSteps() {
        Network net = StepAgreement.network(RELU);
        HostKernels host = new HostKernels();
        Tensor x = StepAgreement.inputs(RELU), y = StepAgreement.targets(RELU);
        GpuMlp<float[]> mirror = new GpuMlp<>(net, StepAgreement.sgd(net, RELU), new SoftmaxCrossEntropy(), 16, host);
        mirror.submit(x, y);
        mirror.submit(x, y);
        mirror.discardInFlight();
        assertEquals(0, mirror.inFlight());
        assertEquals(2, mirror.steps());
        assertTrue(Double.isFinite(mirror.step(x, y)));
        mirror.submit(x, y);
        assertEquals("copyFromNetwork() with 1 submitted steps whose loss is not taken yet",
                assertThrows(IllegalStateException.class, mirror::copyFromNetwork).getMessage());
        mirror.close();  // with a step in flight
        assertEquals(0, host.liveBuffers);
    }

    @Test
    void submitRunsAheadByAtMostTwoStepsAndTakeLossReadsThemInOrder() {
        Network a = StepAgreement.network(RELU), b = StepAgreement.network(RELU);
        Tensor x = StepAgreement.inputs(RELU), y = StepAgreement.targets(RELU);
        try (GpuMlp<float[]> waiting = new GpuMlp<>(a, StepAgreement.sgd(a, RELU), new SoftmaxCrossEntropy(), 16, new HostKernels());
             GpuMlp<float[]> piped = new GpuMlp<>(b, StepAgreement.sgd(b, RELU), new SoftmaxCrossEntropy(), 16, new HostKernels())) {
            double l0 = waiting.step(x, y), l1 = waiting.step(x, y), l2 = waiting.step(x, y);
            IllegalStateException none = assertThrows(IllegalStateException.class, piped::takeLoss);
            assertEquals("takeLoss() with no submitted step", none.getMessage());
            piped.submit(x, y);
            piped.submit(x, y);
            assertEquals(2, piped.inFlight());
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> piped.submit(x, y));
            assertEquals("2 steps in flight: takeLoss() before submitting another", full.getMessage());
            IllegalStateException step = assertThrows(IllegalStateException.class, () -> piped.step(x, y));
            assertEquals("step() with 2 submitted steps whose loss is not taken yet", step.getMessage());
            assertEquals(l0, piped.takeLoss());
            piped.submit(x, y);
            assertEquals(l1, piped.takeLoss());
            assertEquals(l2, piped.takeLoss());
            assertEquals(0, piped.inFlight());
        }
    }
}
