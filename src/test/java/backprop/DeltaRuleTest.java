package backprop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.layers.Dense;
import backprop.layers.Sigmoid;
import backprop.loss.Losses;
import backprop.optim.Sgd;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * The notes' delta rule and the general engine (Dense without bias → Sigmoid → Dense → Sigmoid,
 * loss mse_half, plain SGD) give the same weights, per epoch and per record.
 *
 * <p>Tolerance 1e-5 relative to the largest weight after 30 epochs: both compute in float32 but
 * sum in different orders (the class record by record, the engine's GEMM in blocks) and use
 * different exp (Math.exp vs nabla's polynomial, ~2 ulp apart), so each update differs by a few
 * ulp (~1e-7 relative); 30 epochs of updates of size η·Δw ≈ 0.1 accumulate to ~1e-6. A wrong
 * sign, factor or index would be off by the size of an update (≥ 1e-3). Observed: ≤ 4e-7.
 */
class DeltaRuleTest {
    static final int FEATURES = 6, HIDDEN = 4, OUTPUTS = 2, RECORDS = 20;

    static float[][] rows(Tensor t) {
        float[][] r = new float[t.dim(0)][t.dim(1)];
        for (int i = 0; i < r.length; i++) System.arraycopy(t.data(), i * t.dim(1), r[i], 0, t.dim(1));
        return r;
    }

    static void assertSame(DeltaRule notes, Network net) {
        float[] wih = net.parameter("dense0.weight").value().data(); // [hidden][features]
        float[] who = net.parameter("dense2.weight").value().data(); // [outputs][hidden]
        double max = 0, err = 0;
        for (int i = 0; i < FEATURES; i++) {
            for (int j = 0; j < HIDDEN; j++) {
                max = Math.max(max, Math.abs(notes.weightsInputHidden[i][j]));
                err = Math.max(err, Math.abs(notes.weightsInputHidden[i][j] - wih[j * FEATURES + i]));
            }
        }
        for (int j = 0; j < HIDDEN; j++) {
            for (int k = 0; k < OUTPUTS; k++) {
                max = Math.max(max, Math.abs(notes.weightsHiddenOutput[j][k]));
                err = Math.max(err, Math.abs(notes.weightsHiddenOutput[j][k] - who[k * HIDDEN + j]));
            }
        }
        double e = err, m = max;
        assertTrue(err <= 1e-5 * max, () -> "delta rule and engine differ by " + e + " (largest weight " + m + ")");
    }

    /** The engine with the notes' starting weights (transposed to [out][in]). */
    static Network engine(DeltaRule notes) {
        Network net = new Network(FEATURES).add(new Dense(FEATURES, HIDDEN, false)).add(new Sigmoid())
                .add(new Dense(HIDDEN, OUTPUTS, false)).add(new Sigmoid());
        float[] wih = net.parameter("dense0.weight").value().data(), who = net.parameter("dense2.weight").value().data();
        for (int i = 0; i < FEATURES; i++) for (int j = 0; j < HIDDEN; j++) wih[j * FEATURES + i] = notes.weightsInputHidden[i][j];
        for (int j = 0; j < HIDDEN; j++) for (int k = 0; k < OUTPUTS; k++) who[k * HIDDEN + j] = notes.weightsHiddenOutput[j][k];
        return net;
    }

    @Test
    void perEpochMatchesFullBatchSgd() {
        Tensor x = TestData.uniform(1, 2f, RECORDS, FEATURES), y = TestData.probabilities(2, RECORDS, OUTPUTS);
        DeltaRule notes = new DeltaRule(FEATURES, HIDDEN, OUTPUTS, 42);
        Network net = engine(notes);
        Trainer trainer = new Trainer(net, Losses.byName("mse_half"), new Sgd(net, 0.5f));
        for (int epoch = 0; epoch < 30; epoch++) {
            notes.trainEpoch(rows(x), rows(y), 0.5f);
            trainer.epoch(x, y, Trainer.FULL_BATCH, null);
        }
        assertSame(notes, net);
    }

    @Test
    void perRecordMatchesBatchOfOne() {
        Tensor x = TestData.uniform(3, 2f, RECORDS, FEATURES), y = TestData.probabilities(4, RECORDS, OUTPUTS);
        DeltaRule notes = new DeltaRule(FEATURES, HIDDEN, OUTPUTS, 7);
        Network net = engine(notes);
        Trainer trainer = new Trainer(net, Losses.byName("mse_half"), new Sgd(net, 0.5f));
        for (int epoch = 0; epoch < 30; epoch++) {
            notes.trainPerRecord(rows(x), rows(y), 0.5f);
            trainer.epoch(x, y, 1, null);
        }
        assertSame(notes, net);
    }

    @Test
    void trainingReducesTheError() {
        Tensor x = TestData.uniform(5, 2f, RECORDS, FEATURES), y = TestData.probabilities(6, RECORDS, OUTPUTS);
        DeltaRule notes = new DeltaRule(FEATURES, HIDDEN, OUTPUTS, 1);
        double before = sse(notes, x, y);
        for (int epoch = 0; epoch < 200; epoch++) notes.trainEpoch(rows(x), rows(y), 1f);
        double after = sse(notes, x, y);
        assertTrue(after < 0.8 * before, "error " + before + " -> " + after);
    }

    static double sse(DeltaRule notes, Tensor x, Tensor y) {
        double s = 0;
        float[][] xs = rows(x), ys = rows(y);
        for (int r = 0; r < xs.length; r++) {
            float[] out = notes.run(xs[r]);
            for (int k = 0; k < out.length; k++) s += (ys[r][k] - out[k]) * (ys[r][k] - out[k]);
        }
        return s;
    }
}
