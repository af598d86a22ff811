package app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.EpochMetrics;
import backprop.Network;
import backprop.StepEngine;
import backprop.Trainer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.ReLU;
import backprop.loss.ClassWeighted;
import backprop.loss.Losses;
import backprop.loss.SoftmaxCrossEntropy;
import cuda.Backend;
import cuda.GpuMlp;
import cuda.GpuStatus;
import cuda.GpuUnavailableException;
import cuda.HostKernels;
import cuda.StepAgreement;
import cuda.UnmirroredLayer;
import data.Dataset;
import data.Digits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/** The --backend switch of a training run, and a run whose steps go to a StepEngine, without a GPU. */
class GpuTrainingTest {
    static final GpuStatus H100 = GpuStatus.availableOn("NVIDIA H100 80GB HBM3, sm_90");
    static final GpuStatus NO_GPU = GpuStatus.unavailable("libcuda.so.1 not found");
    static final Network MLP = new Network(4).add(new Dense(4, 3)).add(new ReLU()).add(new Dense(3, 2));
    static final Network WITH_BATCHNORM = new Network(4).add(new Dense(4, 3)).add(new BatchNorm(3)).add(new ReLU()).add(new Dense(3, 2));
    static final Network EVERY_LAYER = new Network(4).add(new Dense(4, 3)).add(new BatchNorm(3)).add(new LeakyReLU()).add(new Dropout(0.2f))
            .add(new Dense(3, 2)).add(new LogSoftmax());
    static final ClassWeighted WEIGHTED = new ClassWeighted(new SoftmaxCrossEntropy(), new float[] {1f, 3f});
    static Dataset.Split digits;

    @BeforeAll
    static void data() {
        digits = Digits.split();
    }

    /** The digits, 64-32-10 ReLU, momentum, L2, a learning rate that decays each epoch, 3 epochs. */
    static TrainConfig config() {
        return TrainConfig.builder().model("64-32-10").l2(1e-4f).epochs(3).lrDecay("exp:0.5").build();
    }

    /** The digits config with {@code --batchnorm --dropout 0.2 --activation leaky-relu}. */
    static TrainConfig everyLayerConfig() {
        return config().toBuilder().activation("leaky-relu").dropout(0.2f).batchNorm(true).build();
    }

    @Test
    void aGpuAndAModelItMirrorsIsCuda() {
        assertEquals(new Backend.Choice(Backend.CUDA, "backend: cuda (NVIDIA H100 80GB HBM3, sm_90)"),
                GpuTraining.choose("auto", H100, MLP, new SoftmaxCrossEntropy()));
        assertEquals(Backend.CUDA, GpuTraining.choose("cuda", H100, MLP, new SoftmaxCrossEntropy()).backend());
        // batch norm, dropout, leaky ReLU, log-softmax and the losses with a kernel: auto does not fall back
        assertEquals(Backend.CUDA, GpuTraining.choose("auto", H100, WITH_BATCHNORM, new SoftmaxCrossEntropy()).backend());
        assertEquals(Backend.CUDA, GpuTraining.choose("cuda", H100, EVERY_LAYER, Losses.byName("nll")).backend());
        for (String loss : new String[] {"mse", "mse_half", "sse", "l1", "bce_logits", "hinge"}) {
            assertEquals(Backend.CUDA, GpuTraining.choose("auto", H100, MLP, Losses.byName(loss)).backend(), loss);
        }
    }

    /** Every model train builds (each loss, with and without batch norm, dropout and leaky ReLU) runs on cuda under auto. */
    @Test
    void autoTakesTheGpuForEveryModelTrainBuilds() {
        for (String loss : new String[] {"ce", "nll", "mse", "sse", "l1", "bce", "hinge"}) {
            for (boolean extras : new boolean[] {false, true}) {
                TrainConfig c = TrainConfig.builder().model("64-32-10").activation(extras ? "leaky-relu" : "relu").loss(loss)
                        .dropout(extras ? 0.2f : 0f).batchNorm(extras).epochs(1).build();
                Training run = Training.start(c, digits);
                assertEquals(Backend.CUDA, GpuTraining.choose("auto", H100, run.network(), run.loss()).backend(),
                        loss + (extras ? " with batch norm, dropout, leaky ReLU: " : ": ") + run.network());
            }
        }
        TrainConfig weighted = TrainConfig.builder().model("64-32-10").epochs(1).balance("weights").build();
        Training run = Training.start(weighted, digits);
        assertEquals("backend: cpu (cuda: NVIDIA H100 80GB HBM3, sm_90, but loss weighted_softmax_ce has no GPU version)",
                GpuTraining.choose("auto", H100, run.network(), run.loss()).line());
    }

    @Test
    void autoWithAModelItDoesNotMirrorIsCpuAndSaysWhy() {
        assertEquals(new Backend.Choice(Backend.CPU,
                        "backend: cpu (cuda: NVIDIA H100 80GB HBM3, sm_90, but loss weighted_softmax_ce has no GPU version)"),
                GpuTraining.choose("auto", H100, WITH_BATCHNORM, WEIGHTED));
        Network own = new Network(4).add(new Dense(4, 3)).add(new UnmirroredLayer()).add(new Dense(3, 2));
        assertEquals("backend: cpu (cuda: NVIDIA H100 80GB HBM3, sm_90, but layer identity1 has no GPU version)",
                GpuTraining.choose(null, H100, own, new SoftmaxCrossEntropy()).line());
    }

    @Test
    void cudaWithAModelItDoesNotMirrorFailsNamingTheLayerOrLoss() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> GpuTraining.choose("cuda", H100, MLP, WEIGHTED));
        assertEquals("backend cuda: loss weighted_softmax_ce has no GPU version; use --backend cpu", e.getMessage());
        Network own = new Network(4).add(new Dense(4, 3)).add(new UnmirroredLayer()).add(new Dense(3, 2));
        assertEquals("backend cuda: layer identity1 has no GPU version; use --backend cpu",
                assertThrows(UnsupportedOperationException.class, () -> GpuTraining.choose("cuda", H100, own, new SoftmaxCrossEntropy()))
                        .getMessage());
    }

    @Test
    void withoutAGpu() {
        assertEquals(new Backend.Choice(Backend.CPU, "backend: cpu (cuda unavailable: libcuda.so.1 not found)"),
                GpuTraining.choose("auto", NO_GPU, WITH_BATCHNORM, new SoftmaxCrossEntropy()));
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> GpuTraining.choose("cuda", NO_GPU, MLP, new SoftmaxCrossEntropy()));
        assertEquals("--backend cuda: cuda unavailable: libcuda.so.1 not found", e.getMessage());
        // cpu is not probed (null status) and names no GPU
        assertEquals(new Backend.Choice(Backend.CPU, "backend: cpu (requested)"), GpuTraining.choose("cpu", null, MLP, new SoftmaxCrossEntropy()));
    }

    @Test
    void cpuLeavesTheRunOnTheCpuAndPrintsOneLine() {
        Training run = Training.start(config(), digits);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(Backend.CPU, GpuTraining.use("cpu", run, new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertEquals("backend: cpu (requested)\n", out.toString(StandardCharsets.UTF_8));
    }

    /**
     * A step engine that is the CPU trainer itself gives the CPU run's bits: the run hands the engine the
     * batches the trainer would get, takes its losses, and syncs once an epoch, before validating.
     */
    @Test
    void aRunSendsEveryStepToItsEngineAndSyncsBeforeValidating() {
        Training cpu = Training.start(config(), digits);
        while (!cpu.finished()) cpu.trainEpoch();

        Training run = Training.start(config(), digits);
        Trainer trainer = new Trainer(run.network(), run.loss(), run.optimizer());
        int[] calls = new int[2];
        run.setStepEngine(new StepEngine<Tensor>() {
            @Override
            public double step(Tensor x, Tensor target) {
                calls[0]++;
                return trainer.step(x, target);
            }

            @Override
            public void syncNetwork() {
                calls[1]++;
            }
        });
        while (!run.finished()) run.trainEpoch();
        assertEquals(3 * ((digits.train().size() + 31) / 32), calls[0], "one call a batch");
        assertEquals(3, calls[1], "one sync an epoch");
        assertEquals(losses(cpu.history()), losses(run.history()));
        assertSameTensors(cpu.checkpoint().tensors(), run.checkpoint().tensors());
    }

    /**
     * The mirror on the float[] kernels as a run's engine: it trains (the validation after each epoch reads
     * the synced weights: unsynced, they would be the initial ones, about 10% accurate), the learning-rate
     * decay reaches it, and the checkpoint holds its weights and momentum. Against the CPU run: each step
     * differs by float rounding (see StepAgreement: about 1e-6 relative), which 135 steps of SGD carry into
     * weights a little apart; a test example whose predicted class flips needs its top two logits within
     * that distance, so the accuracies agree to a few of the 360 examples (3 allowed), and the losses to 1%.
     */
    @Test
    void theMirrorAsARunsEngineTrainsLikeTheCpu() {
        Training cpu = Training.start(config(), digits);
        while (!cpu.finished()) cpu.trainEpoch();

        Training run = Training.start(config(), digits);
        GpuMlp<float[]> mlp = new GpuMlp<>(run.network(), run.optimizer(), run.loss(), 32, new HostKernels());
        run.setStepEngine(GpuTraining.engine(mlp));  // what --backend cuda installs
        while (!run.finished()) run.trainEpoch();
        for (int e = 0; e < 3; e++) {
            EpochMetrics a = cpu.history().get(e), b = run.history().get(e);
            assertEquals(a.trainLoss(), b.trainLoss(), 0.01 * a.trainLoss(), "train loss of epoch " + (e + 1));
            assertEquals(a.valLoss(), b.valLoss(), 0.01 * a.valLoss(), "validation loss of epoch " + (e + 1));
            assertEquals(a.valAccuracy(), b.valAccuracy(), 3.0 / digits.test().size(), "validation accuracy of epoch " + (e + 1));
        }
        assertTrue(run.history().get(2).valAccuracy() > 0.9, "trained: " + run.history().get(2));
        assertEquals(cpu.optimizer().learningRate(), run.optimizer().learningRate(), "0.05·0.5³, decayed on the CPU side, used on the device");
        Map<String, Tensor> saved = run.checkpoint().tensors();
        Tensor momentum = saved.get("optimizer.0.weight.momentum_buffer");
        assertTrue(Math.abs(momentum.data()[0]) + Math.abs(momentum.data()[1]) > 0, "the device's velocity came back");
        assertArrayEquals(run.network().parameter("dense0.weight").value().data(), saved.get("0.weight").data());
        mlp.close();
    }

    /**
     * The same run with the mirror's pipeline (submit now, the loss one step later, as GpuTraining installs
     * it) and without (each step waits): the same arithmetic in the same order, so the histories and the
     * checkpoints are bitwise equal; the learning-rate decay reaches the captured step (a new graph after
     * each change); the losses of an epoch are all read before its validation (copyToNetwork refuses
     * to run with a step in flight).
     */
    @Test
    void aPipelinedEngineRunsTheSameStepsAsAWaitingOne() {
        Training waiting = Training.start(config(), digits);
        GpuMlp<float[]> a = new GpuMlp<>(waiting.network(), waiting.optimizer(), waiting.loss(), 32, new HostKernels());
        waiting.setStepEngine(new StepEngine<Tensor>() {
            @Override
            public double step(Tensor x, Tensor target) {
                return a.step(x, target);
            }

            @Override
            public void syncNetwork() {
                a.copyToNetwork();
            }
        });
        while (!waiting.finished()) waiting.trainEpoch();

        Training piped = Training.start(config(), digits);
        HostKernels host = new HostKernels();
        GpuMlp<float[]> b = new GpuMlp<>(piped.network(), piped.optimizer(), piped.loss(), 32, host);
        piped.setStepEngine(GpuTraining.engine(b));  // what --backend cuda installs: one step in flight
        while (!piped.finished()) piped.trainEpoch();
        assertEquals(3 * ((digits.train().size() + 31) / 32), b.steps(), "one loss a batch");
        assertEquals(0, b.inFlight(), "every loss read (copyToNetwork, after each epoch, refuses otherwise)");
        assertEquals(losses(waiting.history()), losses(piped.history()));
        assertSameTensors(waiting.checkpoint().tensors(), piped.checkpoint().tensors());
        // 3 epochs, each at its own learning rate: full batches in both buffer slots, and the shorter last one
        assertEquals(9, b.graphsCaptured());
        assertEquals(3 * ((digits.train().size() + 31) / 32), host.launches);
        a.close();
        b.close();
    }

    /** A pipelined step that fails (a non-finite loss) ends the epoch with the failure, after the step in flight is waited for. */
    @Test
    void aFailedPipelinedStepEndsTheEpochAndLeavesNoStepInFlight() {
        Training run = Training.start(config(), digits);
        Trainer trainer = new Trainer(run.network(), run.loss(), run.optimizer());
        int[] inFlight = new int[1], taken = new int[1];
        run.setStepEngine(new StepEngine<Tensor>() {
            @Override
            public double step(Tensor x, Tensor target) {
                throw new AssertionError("a pipelined epoch submits");
            }

            @Override
            public void syncNetwork() {
            }

            @Override
            public int pipelineDepth() {
                return 1;
            }

            @Override
            public void submit(Tensor x, Tensor target) {
                trainer.step(x, target);
                inFlight[0]++;
            }

            @Override
            public double takeLoss() {
                inFlight[0]--;
                if (++taken[0] == 3) throw new ArithmeticException("step 3 on the GPU: loss softmax_ce is NaN");
                return 1.0;
            }

            @Override
            public void discardInFlight() {
                inFlight[0] = 0;
            }
        });
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> run.trainEpoch());
        assertEquals("step 3 on the GPU: loss softmax_ce is NaN", e.getMessage());
        assertEquals(0, inFlight[0], "the step submitted after the failed one was waited for");
    }

    /**
     * --batchnorm --dropout 0.2 --activation leaky-relu through the mirror on the float[] kernels, as --backend cuda runs
     * it: the run's reseeds reach the mirror, so it draws the CPU run's dropout masks; the steps differ from the CPU's
     * by float rounding only (StepAgreement, with batch norm's amplification of it: GpuMlpLayersHostTest), so as in
     * theMirrorAsARunsEngineTrainsLikeTheCpu the losses agree to 1% and the accuracies to 3 of the 360 examples; the
     * checkpoint holds the device's batch norm statistics.
     */
    @Test
    void batchNormDropoutAndLeakyReluTrainOnTheMirrorLikeOnTheCpu() {
        Training cpu = Training.start(everyLayerConfig(), digits);
        while (!cpu.finished()) cpu.trainEpoch();

        Training run = Training.start(everyLayerConfig(), digits);
        try (GpuMlp<float[]> mlp = new GpuMlp<>(run.network(), run.optimizer(), run.loss(), 32, new HostKernels())) {
            run.setStepEngine(GpuTraining.engine(mlp));
            while (!run.finished()) run.trainEpoch();
        }
        for (int e = 0; e < 3; e++) {
            EpochMetrics a = cpu.history().get(e), b = run.history().get(e);
            assertEquals(a.trainLoss(), b.trainLoss(), 0.01 * a.trainLoss(), "train loss of epoch " + (e + 1));
            assertEquals(a.valLoss(), b.valLoss(), 0.01 * a.valLoss(), "validation loss of epoch " + (e + 1));
            assertEquals(a.valAccuracy(), b.valAccuracy(), 3.0 / digits.test().size(), "validation accuracy of epoch " + (e + 1));
        }
        assertTrue(run.history().get(2).valAccuracy() > 0.9, "trained: " + run.history().get(2));
        Map<String, Tensor> saved = run.checkpoint().tensors(), cpuSaved = cpu.checkpoint().tensors();
        Tensor mean = saved.get("1.running_mean"), cpuMean = cpuSaved.get("1.running_mean");
        assertTrue(mean != null && mean.data()[0] != 0f, "the device's running mean is in the checkpoint: " + saved.keySet());
        for (int j = 0; j < mean.size(); j++) {
            // statistics of the same data through weights a little apart: far closer than the spread of the feature
            assertEquals(cpuMean.data()[j], mean.data()[j], 0.01 * (1 + Math.abs(cpuMean.data()[j])), "running mean " + j);
        }
    }

    /**
     * Resuming on the mirror: 1 epoch, a checkpoint through a file, a new run and a new mirror for 2 more; against 3
     * epochs in one go on the mirror, bit for bit (the same kernels on the same values, each epoch's dropout stream from
     * the run's seed for that epoch), every tensor of the checkpoint: weights, γ, β, running statistics, momentum.
     */
    @Test
    void aRunResumedOnTheMirrorIsTheUninterruptedRunBitForBit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Training whole = Training.start(everyLayerConfig(), digits);
        try (GpuMlp<float[]> mlp = new GpuMlp<>(whole.network(), whole.optimizer(), whole.loss(), 32, new HostKernels())) {
            whole.setStepEngine(GpuTraining.engine(mlp));
            while (!whole.finished()) whole.trainEpoch();
        }

        Training first = Training.start(everyLayerConfig().withEpochs(1), digits);
        try (GpuMlp<float[]> mlp = new GpuMlp<>(first.network(), first.optimizer(), first.loss(), 32, new HostKernels())) {
            first.setStepEngine(GpuTraining.engine(mlp));
            first.trainEpoch();
        }
        java.nio.file.Path file = dir.resolve("epoch1.safetensors");
        first.checkpoint().write(file);
        Training resumed = Training.resume(everyLayerConfig(), digits, Checkpoint.read(file));
        try (GpuMlp<float[]> mlp = new GpuMlp<>(resumed.network(), resumed.optimizer(), resumed.loss(), 32, new HostKernels())) {
            resumed.setStepEngine(GpuTraining.engine(mlp));  // after the restore, as GpuTraining.use
            while (!resumed.finished()) resumed.trainEpoch();
        }
        assertEquals(losses(whole.history()), losses(resumed.history()));
        assertSameTensors(whole.checkpoint().tensors(), resumed.checkpoint().tensors());
    }

    private static List<Double> losses(List<EpochMetrics> history) {
        return history.stream().map(e -> e.trainLoss() + e.valLoss()).toList();
    }

    private static void assertSameTensors(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
    }
}
