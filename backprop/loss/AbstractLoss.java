package backprop.loss;

import backprop.BatchBuffer;
import backprop.DoubleLoss;
import backprop.Loss;
import java.util.Arrays;
import tensor.Tensor;

/**
 * What every loss shares: shape and label checks with messages that name both sides, the reused
 * gradient buffer, and a non-finite value reported with the first bad element instead of a NaN
 * travelling on into the weights.
 */
public abstract class AbstractLoss implements Loss, DoubleLoss {
    private final String name;
    private final boolean classIndices; // targets may be [batch] class indices
    private final BatchBuffer gradient = new BatchBuffer();
    protected Tensor prediction;
    protected Tensor target;

    protected AbstractLoss(String name, boolean classIndices) {
        this.name = name;
        this.classIndices = classIndices;
    }

    @Override
    public String name() { return name; }

    @Override
    public String toString() { return name; }

    @Override
    public final double forward(Tensor p, Tensor t) {
        check(p, t);
        prediction = p;
        target = t;
        double e = value(p.data(), p.offset(), p.dim(0), p.dim(1), t);
        if (!Double.isFinite(e)) throw nonFinite(e, p, t);
        return e;
    }

    @Override
    public final Tensor backward() {
        if (prediction == null) throw new IllegalStateException("loss " + name + ": backward before forward");
        Tensor g = gradient.get(prediction.dim(0), prediction.dim(1));
        gradient(prediction.data(), prediction.offset(), prediction.dim(0), prediction.dim(1), target, g.data());
        return g;
    }

    /** E from a contiguous prediction {@code p[off + r·k + j]}. */
    protected abstract double value(float[] p, int off, int batch, int k, Tensor target);

    /** ∂E/∂p into {@code g[r·k + j]}. */
    protected abstract void gradient(float[] p, int off, int batch, int k, Tensor target, float[] g);

    /** True when the targets are {@code [batch]} class indices, false when they have the prediction's shape. */
    protected static boolean isIndices(Tensor target) {
        return target.rank() == 1;
    }

    /** The class index of row r (already validated by {@link #check}). */
    protected static int label(Tensor target, int r) {
        return (int) target.data()[target.offset() + r];
    }

    /** Target element (r, j) of a target with the prediction's shape. */
    protected static float targetAt(Tensor target, int r, int k, int j) {
        return target.data()[target.offset() + r * k + j];
    }

    private void check(Tensor p, Tensor t) {
        if (p.rank() != 2 || !BatchBuffer.isContiguous(p)) {
            throw new IllegalArgumentException("loss " + name + ": expected a contiguous prediction [batch, outputs] but got "
                    + Arrays.toString(p.shape()) + (p.transposed() ? " (transposed view)" : ""));
        }
        int batch = p.dim(0), k = p.dim(1);
        if (classIndices && t.rank() == 1) {
            if (t.dim(0) != batch) {
                throw new IllegalArgumentException("loss " + name + ": " + t.dim(0) + " labels for a batch of " + batch
                        + " (prediction " + Arrays.toString(p.shape()) + ")");
            }
            for (int r = 0; r < batch; r++) {
                float c = t.data()[t.offset() + r];
                if (!(c >= 0 && c < k) || c != Math.rint(c)) {
                    throw new IllegalArgumentException("loss " + name + ": label " + c + " at row " + r
                            + " is outside the " + k + " classes [0, " + k + ")");
                }
            }
            return;
        }
        if (t.rank() != 2 || t.dim(0) != batch || t.dim(1) != k || !BatchBuffer.isContiguous(t)) {
            throw new IllegalArgumentException("loss " + name + ": target shape " + Arrays.toString(t.shape())
                    + " does not match prediction " + Arrays.toString(p.shape())
                    + (classIndices ? " (give [batch] class indices or a [batch, classes] target)" : ""));
        }
    }

    private ArithmeticException nonFinite(double e, Tensor p, Tensor t) {
        String where = firstNonFinite("prediction", p);
        if (where == null) where = firstNonFinite("target", t);
        return new ArithmeticException("loss " + name + " is " + e + (where != null ? ": " + where : ""));
    }

    private static String firstNonFinite(String what, Tensor x) {
        int n = x.size(), cols = x.rank() == 2 ? x.dim(1) : 1;
        for (int i = 0; i < n; i++) {
            float v = x.data()[x.offset() + i];
            if (!Float.isFinite(v)) {
                return what + (x.rank() == 2 ? "[" + i / cols + "][" + i % cols + "]" : "[" + i + "]") + " = " + v;
            }
        }
        return null;
    }
}
