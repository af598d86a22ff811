package backprop.loss;

import tensor.Tensor;

/**
 * Sum of squared errors, the notes' SSE: E = ½·Σ_records Σ_outputs (y − ŷ)², ∂E/∂ŷ = ŷ − y. Not
 * averaged, so the step grows with the batch (PyTorch's MSELoss(reduction='sum') is 2·E).
 */
public final class SumSquaredError extends AbstractLoss {
    public SumSquaredError() {
        super("sse", false);
    }

    @Override
    protected double value(float[] p, int off, int batch, int k, Tensor target) {
        double sum = 0;
        for (int i = 0; i < batch * k; i++) {
            double error = target.data()[target.offset() + i] - p[off + i];
            sum += error * error;
        }
        // E = ½·Σ (y − ŷ)²
        return 0.5 * sum;
    }

    @Override
    protected void gradient(float[] p, int off, int batch, int k, Tensor target, float[] g) {
        // ∂E/∂ŷ = ŷ − y
        for (int i = 0; i < batch * k; i++) g[i] = p[off + i] - target.data()[target.offset() + i];
    }

    @Override
    public double forward64(double[] p, int batch, Tensor target) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double e = target.data()[target.offset() + i] - p[i];
            sum += e * e;
        }
        return 0.5 * sum;
    }
}
