package backprop.loss;

import tensor.Tensor;

/**
 * Mean absolute error, PyTorch's L1Loss: E = 1/(B·K)·Σ|ŷ − y|, ∂E/∂ŷ = sign(ŷ − y)/(B·K), with
 * sign(0) = 0 (the subgradient PyTorch takes at the kink).
 */
public final class L1Loss extends AbstractLoss {
    public L1Loss() {
        super("l1", false);
    }

    @Override
    protected double value(float[] p, int off, int batch, int k, Tensor target) {
        double sum = 0;
        for (int i = 0; i < batch * k; i++) sum += Math.abs((double) p[off + i] - target.data()[target.offset() + i]);
        // E = Σ|ŷ − y| / (B·K)
        return sum / ((double) batch * k);
    }

    @Override
    protected void gradient(float[] p, int off, int batch, int k, Tensor target, float[] g) {
        float scale = 1f / ((float) batch * k);
        // ∂E/∂ŷ = sign(ŷ − y)/(B·K)
        for (int i = 0; i < batch * k; i++) g[i] = Math.signum(p[off + i] - target.data()[target.offset() + i]) * scale;
    }

    @Override
    public double forward64(double[] p, int batch, Tensor target) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += Math.abs(p[i] - target.data()[target.offset() + i]);
        return sum / p.length;
    }
}
