package backprop.loss;

import tensor.Tensor;

/**
 * Negative log-likelihood on log-probabilities (the output of a LogSoftmax layer), PyTorch's
 * NLLLoss: E = −1/B·Σ_b logp[b, t_b], ∂E/∂logp[b, k] = −[k = t_b]/B.
 */
public final class NegativeLogLikelihood extends AbstractLoss {
    public NegativeLogLikelihood() {
        super("nll", true);
    }

    @Override
    protected double value(float[] logp, int off, int batch, int k, Tensor target) {
        requireIndices(target);
        double sum = 0;
        // E = −Σ_b logp[b, t_b] / B
        for (int r = 0; r < batch; r++) sum -= logp[off + r * k + label(target, r)];
        return sum / batch;
    }

    @Override
    protected void gradient(float[] logp, int off, int batch, int k, Tensor target, float[] g) {
        java.util.Arrays.fill(g, 0, batch * k, 0f);
        // ∂E/∂logp[b, t_b] = −1/B, zero elsewhere
        for (int r = 0; r < batch; r++) g[r * k + label(target, r)] = -1f / batch;
    }

    @Override
    public double forward64(double[] logp, int batch, Tensor target) {
        int k = logp.length / batch;
        double sum = 0;
        for (int r = 0; r < batch; r++) sum -= logp[r * k + label(target, r)];
        return sum / batch;
    }

    private void requireIndices(Tensor target) {
        if (!isIndices(target)) {
            throw new IllegalArgumentException("loss nll: needs [batch] class indices, got a target of shape "
                    + java.util.Arrays.toString(target.shape()));
        }
    }
}
