package backprop.loss;

import tensor.Tensor;

/**
 * Mean squared error, in either of its two conventions (chosen by name):
 * <ul>
 *   <li>{@link Convention#MEAN} ("mse", PyTorch's MSELoss): E = 1/(B·K)·Σ(ŷ − y)² over all B·K
 *       elements; ∂E/∂ŷ = 2(ŷ − y)/(B·K).</li>
 *   <li>{@link Convention#HALF_MEAN} ("mse_half", the notes): E = 1/(2m)·Σ_records Σ_outputs (y − ŷ)²
 *       with m = B records; ∂E/∂ŷ = (ŷ − y)/m. The ½ cancels the 2 of the square, which is why
 *       the delta rule reads error·f'(h) with no factor.</li>
 * </ul>
 */
public final class MeanSquaredError extends AbstractLoss {
    public enum Convention { MEAN, HALF_MEAN }

    private final Convention convention;

    public MeanSquaredError(Convention convention) {
        super(convention == Convention.MEAN ? "mse" : "mse_half", false);
        this.convention = convention;
    }

    public Convention convention() { return convention; }

    @Override
    protected double value(float[] p, int off, int batch, int k, Tensor target) {
        double sum = 0;
        float[] t = target.data();
        int t0 = target.offset();
        for (int i = 0; i < batch * k; i++) {
            // (y − ŷ)²
            double error = t[t0 + i] - p[off + i];
            sum += error * error;
        }
        // E = Σ/(B·K)  or  Σ/(2B)
        return convention == Convention.MEAN ? sum / ((double) batch * k) : sum / (2.0 * batch);
    }

    @Override
    protected void gradient(float[] p, int off, int batch, int k, Tensor target, float[] g) {
        float scale = convention == Convention.MEAN ? 2f / ((float) batch * k) : 1f / batch;
        float[] t = target.data();
        int t0 = target.offset();
        // ∂E/∂ŷ = 2(ŷ − y)/(B·K)  or  (ŷ − y)/B
        for (int i = 0; i < batch * k; i++) g[i] = (p[off + i] - t[t0 + i]) * scale;
    }

    @Override
    public double forward64(double[] p, int batch, Tensor target) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double e = target.data()[target.offset() + i] - p[i];
            sum += e * e;
        }
        return convention == Convention.MEAN ? sum / p.length : sum / (2.0 * batch);
    }
}
