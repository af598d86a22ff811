package backprop.loss;

import tensor.Tensor;

/**
 * The multi-class hinge (SVM) loss on scores s, mean over the B rows:
 * ℓ = Σ_{k ≠ t} max(0, s_k − s_t + 1). Subgradient: +1 for each class k whose margin
 * s_k − s_t + 1 is positive, −(their count) for the true class, divided by B.
 * (PyTorch's MultiMarginLoss divides each row by the number of classes as well.)
 */
public final class MultiClassHinge extends AbstractLoss {
    private static final float MARGIN = 1f;

    public MultiClassHinge() {
        super("hinge", true);
    }

    @Override
    protected double value(float[] s, int off, int batch, int k, Tensor target) {
        requireIndices(target);
        double sum = 0;
        for (int r = 0; r < batch; r++) {
            int sr = off + r * k, t = label(target, r);
            for (int j = 0; j < k; j++) {
                // max(0, s_k − s_t + 1) for k ≠ t
                if (j != t) sum += Math.max(0.0, (double) s[sr + j] - s[sr + t] + MARGIN);
            }
        }
        return sum / batch;
    }

    @Override
    protected void gradient(float[] s, int off, int batch, int k, Tensor target, float[] g) {
        float invB = 1f / batch;
        for (int r = 0; r < batch; r++) {
            int sr = off + r * k, t = label(target, r);
            int violating = 0;
            for (int j = 0; j < k; j++) {
                // ∂ℓ/∂s_k = [s_k − s_t + 1 > 0] for k ≠ t
                boolean active = j != t && (double) s[sr + j] - s[sr + t] + MARGIN > 0;
                g[r * k + j] = active ? invB : 0f;
                if (active) violating++;
            }
            // ∂ℓ/∂s_t = −(number of violating classes)
            g[r * k + t] = -violating * invB;
        }
    }

    @Override
    public double forward64(double[] s, int batch, Tensor target) {
        int k = s.length / batch;
        double sum = 0;
        for (int r = 0; r < batch; r++) {
            int t = label(target, r);
            for (int j = 0; j < k; j++) if (j != t) sum += Math.max(0.0, s[r * k + j] - s[r * k + t] + MARGIN);
        }
        return sum / batch;
    }

    private void requireIndices(Tensor target) {
        if (!isIndices(target)) {
            throw new IllegalArgumentException("loss hinge: needs [batch] class indices, got a target of shape "
                    + java.util.Arrays.toString(target.shape()));
        }
    }
}
