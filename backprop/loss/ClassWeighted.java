package backprop.loss;

import backprop.BatchBuffer;
import backprop.Loss;
import tensor.Tensor;

/**
 * A class-weighted loss for unbalanced data: each example's loss e_b (the inner loss on its row
 * alone) weighs w_c of its class c, and the batch's loss is the weighted mean
 *
 * <pre>
 * E       = Σ_b w_{c_b}·e_b / Σ_b w_{c_b}
 * ∂E/∂z_b = w_{c_b} / Σ_b w_{c_b} · ∂e_b/∂z_b
 * </pre>
 * With equal weights this is the inner loss's mean over rows. {@link #balanced} gives the weights
 * w_c = n / (classes·n_c) (scikit-learn's "balanced"): a class with few examples weighs more.
 * The rows go through the inner loss one at a time, in buffers made once per width.
 */
public final class ClassWeighted implements Loss {
    private final Loss inner;
    private final float[] weights;
    private final BatchBuffer gradient = new BatchBuffer();
    private Tensor row;        // [1, k]: one row of the prediction
    private Tensor rowTarget;  // [1] or [1, k]
    private Tensor prediction, target;
    private double weightSum;

    public ClassWeighted(Loss inner, float[] weights) {
        for (int c = 0; c < weights.length; c++) {
            if (!(weights[c] >= 0 && Float.isFinite(weights[c]))) throw new IllegalArgumentException("class weight " + c + " is " + weights[c]);
        }
        this.inner = inner;
        this.weights = weights.clone();
    }

    /** w_c = n / (K·n_c) over the K classes present; 0 for a class with no example. */
    public static float[] balanced(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int y : labels) counts[y]++;
        int present = 0;
        for (int n : counts) if (n > 0) present++;
        float[] w = new float[numClasses];
        // w_c = n / (K·n_c)
        for (int c = 0; c < numClasses; c++) w[c] = counts[c] == 0 ? 0f : (float) labels.length / (present * (float) counts[c]);
        return w;
    }

    public float[] weights() { return weights.clone(); }

    @Override
    public String name() { return "weighted_" + inner.name(); }

    @Override
    public double forward(Tensor p, Tensor t) {
        int batch = p.dim(0), k = p.dim(1);
        prediction = p;
        target = t;
        double sum = 0;
        weightSum = 0;
        for (int r = 0; r < batch; r++) {
            double w = weights[classOf(t, r, k)];
            if (w == 0) continue;
            sum += w * inner.forward(row(p, r), rowTarget(t, r, k));
            weightSum += w;
        }
        return weightSum == 0 ? 0 : sum / weightSum;
    }

    @Override
    public Tensor backward() {
        int batch = prediction.dim(0), k = prediction.dim(1);
        Tensor g = gradient.get(batch, k);
        float[] gd = g.data();
        for (int r = 0; r < batch; r++) {
            double w = weights[classOf(target, r, k)];
            if (w == 0 || weightSum == 0) {
                java.util.Arrays.fill(gd, r * k, (r + 1) * k, 0f);
                continue;
            }
            inner.forward(row(prediction, r), rowTarget(target, r, k));
            Tensor gr = inner.backward();
            // ∂E/∂z_b = w_b/Σw · ∂e_b/∂z_b
            float scale = (float) (w / weightSum);
            for (int j = 0; j < k; j++) gd[r * k + j] = scale * gr.data()[gr.offset() + j];
        }
        return g;
    }

    /** The class of row r: its index target, or the largest entry of its one-hot row. */
    private static int classOf(Tensor t, int r, int k) {
        float[] d = t.data();
        if (t.rank() == 1) return (int) d[t.offset() + r];
        int at = t.offset() + r * k, best = 0;
        for (int j = 1; j < k; j++) if (d[at + j] > d[at + best]) best = j;
        return best;
    }

    private Tensor row(Tensor p, int r) {
        int k = p.dim(1);
        if (row == null || row.dim(1) != k) row = Tensor.zeros(1, k);
        System.arraycopy(p.data(), p.offset() + r * p.ld(), row.data(), 0, k);
        return row;
    }

    private Tensor rowTarget(Tensor t, int r, int k) {
        int width = t.rank() == 1 ? 1 : k;
        if (rowTarget == null || rowTarget.rank() != t.rank() || rowTarget.size() != width) {
            rowTarget = t.rank() == 1 ? Tensor.zeros(1) : Tensor.zeros(1, k);
        }
        System.arraycopy(t.data(), t.offset() + r * width, rowTarget.data(), 0, width);
        return rowTarget;
    }
}
