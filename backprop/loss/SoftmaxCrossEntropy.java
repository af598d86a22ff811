package backprop.loss;

import backprop.BatchBuffer;
import kernels.RowSoftmax;
import tensor.Tensor;

/**
 * Softmax fused with cross-entropy, on logits z (PyTorch's CrossEntropyLoss), mean over the B rows.
 *
 * <pre>
 * log p_k = z_k − max − log Σ_j e^{z_j − max}      (log-sum-exp: no e^z overflows, no log 0)
 * E       = −1/B · Σ_b Σ_k y_bk · log p_bk          (y one-hot from a label, or a distribution)
 * ∂E/∂z_k = (p_k·Σ_j y_j − y_k)/B  =  (p_k − y_k)/B  for a distribution
 * </pre>
 * Fusing them gives the gradient ŷ − y directly, without the softmax's Jacobian.
 */
public final class SoftmaxCrossEntropy extends AbstractLoss {
    private final BatchBuffer probabilities = new BatchBuffer();
    private Tensor p;

    public SoftmaxCrossEntropy() {
        super("softmax_ce", true);
    }

    /** The softmax of the last forward's logits, {@code [batch, classes]}. */
    public Tensor probabilities() { return p; }

    @Override
    protected double value(float[] z, int off, int batch, int k, Tensor target) {
        p = probabilities.get(batch, k);
        float[] pd = p.data();
        double sum = 0;
        boolean indices = isIndices(target);
        for (int r = 0; r < batch; r++) {
            int zr = off + r * k, pr = r * k;
            float max = RowSoftmax.max(z, zr, k);
            // p_k = e^{z_k − max}/Σ, and log Σ_j e^{z_j} = max + log Σ_j e^{z_j − max}
            double logSum = RowSoftmax.logSumExp(max, RowSoftmax.softmax(z, zr, max, pd, pr, k));
            if (indices) {
                // −log p_t = log Σ − z_t
                sum += logSum - z[zr + label(target, r)];
            } else {
                for (int j = 0; j < k; j++) {
                    float y = targetAt(target, r, k, j);
                    if (y != 0f) sum -= y * (z[zr + j] - logSum);
                }
            }
        }
        return sum / batch;
    }

    @Override
    protected void gradient(float[] z, int off, int batch, int k, Tensor target, float[] g) {
        float[] pd = p.data();
        float invB = 1f / batch;
        if (isIndices(target)) {
            for (int r = 0; r < batch; r++) {
                // ∂E/∂z_k = (p_k − [k = t])/B
                for (int j = 0; j < k; j++) g[r * k + j] = pd[r * k + j] * invB;
                g[r * k + label(target, r)] -= invB;
            }
        } else {
            for (int r = 0; r < batch; r++) {
                float mass = 0f;
                for (int j = 0; j < k; j++) mass += targetAt(target, r, k, j);
                // ∂E/∂z_k = (p_k·Σ_j y_j − y_k)/B
                for (int j = 0; j < k; j++) g[r * k + j] = (pd[r * k + j] * mass - targetAt(target, r, k, j)) * invB;
            }
        }
    }

    @Override
    public double forward64(double[] z, int batch, Tensor target) {
        int k = z.length / batch;
        double sum = 0;
        for (int r = 0; r < batch; r++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, z[r * k + j]);
            for (int j = 0; j < k; j++) s += Math.exp(z[r * k + j] - max);
            double logSum = max + Math.log(s);
            if (isIndices(target)) {
                sum += logSum - z[r * k + label(target, r)];
            } else {
                for (int j = 0; j < k; j++) sum -= targetAt(target, r, k, j) * (z[r * k + j] - logSum);
            }
        }
        return sum / batch;
    }
}
