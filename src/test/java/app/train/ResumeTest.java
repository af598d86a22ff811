package app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.EpochMetrics;
import data.Dataset;
import data.Digits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;

/**
 * Resume, freeze and architecture checks of {@link Training} on the embedded digits with small
 * models and few epochs (each run well under a second). Every comparison is bitwise: the claim is
 * "the same computation", not "close".
 */
class ResumeTest {
    static Dataset.Split digits;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        digits = Digits.split();
    }

    /** Every source of state at once: dropout masks, BatchNorm statistics, momentum, L2, a plateau schedule, a validation split. */
    static TrainConfig busyConfig(int epochs) {
        return TrainConfig.builder().model("64-32-16-10").activation("tanh").init("xavier").lr(0.2f).l2(1e-4f).dropout(0.2f)
                .batchNorm(true).epochs(epochs).lrDecay("plateau:0:0.5").seed(7L).valSplit(0.2).build();
    }

    private static void train(Training t) {
        while (!t.finished()) t.trainEpoch();
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            Tensor a = expected.get(k);
            Tensor b = actual.get(k);
            assertArrayEquals(a.shape(), b.shape(), k);
            float[] x = Arrays.copyOfRange(a.data(), a.offset(), a.offset() + a.size());
            float[] y = Arrays.copyOfRange(b.data(), b.offset(), b.offset() + b.size());
            // Arrays.equals on float[] compares bit patterns (floatToIntBits): bitwise, NaN-safe
            assertTrue(Arrays.equals(x, y), "tensor " + k + " differs");
        }
    }

    @Test
    void aResumedRunEndsBitwiseWhereTheUninterruptedOneEnds() throws IOException {
        Training straight = Training.start(busyConfig(4), digits);
        train(straight);

        Training first = Training.start(busyConfig(2), digits);
        train(first);
        Path file = dir.resolve("run.safetensors");
        first.checkpoint().write(file);
        Checkpoint saved = Checkpoint.read(file);
        assertEquals(2, saved.epoch());
        Training resumed = Training.resume(saved.config().withEpochs(4), digits, saved);
        train(resumed);

        assertSameTensors(straight.checkpoint().tensors(), resumed.checkpoint().tensors());
        assertEquals(Float.floatToIntBits(straight.optimizer().learningRate()), Float.floatToIntBits(resumed.optimizer().learningRate()));
        // epoch 3 does not beat epoch 2: the resumed run halves the rate only if it replayed the best loss of epoch 2
        assertTrue(straight.optimizer().learningRate() < 0.2f, "the plateau schedule acted after the resume point");
        List<EpochMetrics> a = straight.history();
        List<EpochMetrics> b = resumed.history();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).trainLoss(), b.get(i).trainLoss(), 0.0, "train loss of epoch " + (i + 1));
            assertEquals(a.get(i).valLoss(), b.get(i).valLoss(), 0.0, "val loss of epoch " + (i + 1));
        }
    }

    @Test
    void theThreadCountChangesNothing() {
        // batch 64 through a 128-wide layer: 64·128·64 multiply-adds, above SgemmBlocked's 64³ threshold, so threads split the products
        TrainConfig c = TrainConfig.builder().model("64-128-64-10").dropout(0.1f).batchNorm(true).batch(64).epochs(2)
                .seed(9L).build();
        int before = kernels.ThreadPool.get().threads();
        try {
            kernels.ThreadPool.setThreads(1);
            Training one = Training.start(c, digits);
            train(one);
            kernels.ThreadPool.setThreads(3);
            Training three = Training.start(c, digits);
            train(three);
            assertSameTensors(one.checkpoint().tensors(), three.checkpoint().tensors());
        } finally {
            kernels.ThreadPool.setThreads(before);
        }
    }

    @Test
    void frozenLayersAreBitwiseUnchangedAndTheOthersTrain() {
        TrainConfig c = TrainConfig.builder().model("64-32-10").l2(1e-3f).epochs(2).freeze("1").seed(3L).build();
        Training fresh = Training.start(c, digits);
        Map<String, Tensor> before = copy(Checkpoint.modelState(fresh.network()));
        Training run = Training.start(c, digits);
        train(run);
        Map<String, Tensor> after = Checkpoint.modelState(run.network());
        assertSameTensors(Map.of("0.weight", before.get("0.weight"), "0.bias", before.get("0.bias")),
                Map.of("0.weight", after.get("0.weight"), "0.bias", after.get("0.bias")));
        assertFalse(Arrays.equals(before.get("2.weight").data(), after.get("2.weight").data()), "the unfrozen layer trained");
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> m) {
        Map<String, Tensor> c = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, v.copy()));
        return c;
    }

    @Test
    void loadingIntoAnotherArchitectureNamesTheTensorAndBothShapes() throws IOException {
        Training run = Training.start(busyConfig(1), digits);
        Path file = dir.resolve("a.safetensors");
        run.checkpoint().write(file);
        Checkpoint ck = Checkpoint.read(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Training.resume(ck.config().withModel("64-20-16-10"), digits, ck));
        assertTrue(e.getMessage().contains("'0.weight' is [32, 64]") && e.getMessage().contains("needs [20, 64]"), e.getMessage());

        IllegalArgumentException deeper = assertThrows(IllegalArgumentException.class,
                () -> Training.resume(ck.config().withModel("64-32-16-16-10"), digits, ck));
        assertTrue(deeper.getMessage().contains("tensor '"), deeper.getMessage());
    }

    @Test
    void earlyStoppingStopsAndTestsTheBestEpochsWeights() throws IOException {
        // lr 0.5 with momentum on the digits overshoots: the validation loss rises again within a few epochs
        TrainConfig c = TrainConfig.builder().model("64-64-10").lr(0.5f).epochs(40).earlyStopping(2).seed(1L).valSplit(0.25)
                .build();
        Training run = Training.start(c, digits);
        train(run);
        assertTrue(run.stoppedEarly(), "stopped before epoch 40: " + run.epoch());
        List<EpochMetrics> h = run.history();
        int argmin = 0;
        for (int i = 1; i < h.size(); i++) if (h.get(i).valLoss() < h.get(argmin).valLoss()) argmin = i;
        assertEquals(argmin + 1, run.bestEpoch());
        assertEquals(run.bestEpoch() + 2, run.epoch(), "patience 2: stops 2 epochs after the best");
        Checkpoint last = run.checkpoint();
        run.restoreBest();
        // the best weights are those the checkpoint carried as best.*
        for (Map.Entry<String, Tensor> e : Checkpoint.modelState(run.network()).entrySet()) {
            assertTrue(Arrays.equals(e.getValue().data(), last.tensors().get(Checkpoint.BEST_PREFIX + e.getKey()).data()), e.getKey());
        }
        assertEquals(h.get(argmin).valLoss(), run.evaluator(run.validationSet()).run(false).loss(), 0.0,
                "the restored weights reproduce the best epoch's validation loss exactly");
    }

    @Test
    void aSavedModelEvaluatesExactlyAsTheRunDid() throws IOException {
        TrainConfig c = TrainConfig.builder().model("64-16-10").activation("sigmoid").loss("nll").init("normal").lr(0.2f)
                .momentum(0.5f).batchNorm(true).batch(16).epochs(2).lrDecay("step:1:0.5").seed(11L).normalize("feature")
                .build();
        Training run = Training.start(c, digits);
        train(run);
        Path file = dir.resolve("m.safetensors");
        run.checkpoint().write(file);
        SavedModel m = SavedModel.load(file);
        Evaluator.Evaluation a = run.evaluator(run.testSet()).run(false);
        Evaluator.Evaluation b = m.evaluator(digits.test()).run(false);
        assertEquals(a.loss(), b.loss(), 0.0, "same weights, same normalization, same statistics: the same loss to the bit");
        assertArrayEquals(a.predicted(), b.predicted());
        assertEquals(0.05f, m.checkpoint().learningRate(), 0f, "0.2 halved after each of the 2 epochs");
    }
}
