package backprop.loss;

import kernels.Activations;
import tensor.Tensor;

/**
 * Binary cross-entropy (log loss) on logits z, PyTorch's BCEWithLogitsLoss, mean over the B·K
 * elements, targets y in [0, 1]. With σ the sigmoid,
 * ℓ = −y·log σ(z) − (1 − y)·log(1 − σ(z)), computed stably as max(z, 0) − z·y + log(1 + e^{−|z|})
 * (never the log of a σ that rounded to 0 or 1). ∂E/∂z = (σ(z) − y)/(B·K).
 */
public final class BinaryCrossEntropyWithLogits extends AbstractLoss {
    public BinaryCrossEntropyWithLogits() {
        super("bce_logits", false);
    }

    @Override
    protected double value(float[] z, int off, int batch, int k, Tensor target) {
        double sum = 0;
        for (int i = 0; i < batch * k; i++) {
            double zi = z[off + i], y = target.data()[target.offset() + i];
            // ℓ = max(z, 0) − z·y + log(1 + e^{−|z|})
            sum += Math.max(zi, 0) - zi * y + Math.log1p(Math.exp(-Math.abs(zi)));
        }
        return sum / ((double) batch * k);
    }

    @Override
    protected void gradient(float[] z, int off, int batch, int k, Tensor target, float[] g) {
        float scale = 1f / ((float) batch * k);
        // ∂E/∂z = (σ(z) − y)/(B·K)
        for (int i = 0; i < batch * k; i++) g[i] = (Activations.sigmoid(z[off + i]) - target.data()[target.offset() + i]) * scale;
    }

    @Override
    public double forward64(double[] z, int batch, Tensor target) {
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double y = target.data()[target.offset() + i];
            sum += Math.max(z[i], 0) - z[i] * y + Math.log1p(Math.exp(-Math.abs(z[i])));
        }
        return sum / z.length;
    }
}
