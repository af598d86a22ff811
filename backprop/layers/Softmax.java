package backprop.layers;

import backprop.BatchBuffer;
import backprop.DoubleForward;
import kernels.RowSoftmax;
import tensor.Tensor;

/**
 * Softmax over each row, standalone: y_k = e^{z_k − max z}/Σ_j e^{z_j − max z} (shifting by
 * the row maximum changes nothing mathematically and keeps e^· finite).
 *
 * <p>Its Jacobian is ∂y_k/∂z_j = y_k(δ_kj − y_j), so backward is the Jacobian-vector product
 * ∂E/∂z_k = y_k·(∂E/∂y_k − Σ_j ∂E/∂y_j·y_j), never forming the matrix. For training a
 * classifier, prefer the fused {@code SoftmaxCrossEntropy} loss on the logits (gradient y − t).
 */
public final class Softmax extends AbstractLayer implements DoubleForward {
    private final BatchBuffer output = new BatchBuffer();
    private final BatchBuffer gradInput = new BatchBuffer();
    private Tensor out;

    public Softmax() {
        super("softmax");
    }

    @Override
    public int outputFeatures(int inputFeatures) {
        return inputFeatures;
    }

    @Override
    public Tensor forward(Tensor z, boolean training) {
        BatchBuffer.requireContiguousBatch(z, this, -1);
        int rows = z.dim(0), k = z.dim(1);
        out = output.get(rows, k);
        float[] zd = z.data(), y = out.data();
        for (int r = 0; r < rows; r++) {
            int zr = z.offset() + r * k;
            // y_j = e^{z_j − max} / Σ_i e^{z_i − max}
            RowSoftmax.softmax(zd, zr, RowSoftmax.max(zd, zr, k), y, r * k, k);
        }
        return out;
    }

    @Override
    public Tensor backward(Tensor g) {
        if (out == null) throw new IllegalStateException(who() + ": backward before forward");
        BatchBuffer.requireGradient(g, this, out.dim(0), out.dim(1));
        int rows = out.dim(0), k = out.dim(1);
        Tensor dz = gradInput.get(rows, k);
        float[] y = out.data(), gd = g.data(), d = dz.data();
        for (int r = 0; r < rows; r++) {
            int yr = r * k, gr = g.offset() + r * k;
            float dot = 0f;
            // Σ_j ∂E/∂y_j · y_j
            for (int j = 0; j < k; j++) dot += gd[gr + j] * y[yr + j];
            // ∂E/∂z_k = y_k (∂E/∂y_k − Σ_j ∂E/∂y_j y_j)
            for (int j = 0; j < k; j++) d[yr + j] = y[yr + j] * (gd[gr + j] - dot);
        }
        return dz;
    }

    @Override
    public double[] forward64(double[] z, int batch, double[][] params, boolean training) {
        int k = z.length / batch;
        double[] y = new double[z.length];
        for (int r = 0; r < batch; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, z[r * k + j]);
            for (int j = 0; j < k; j++) sum += y[r * k + j] = Math.exp(z[r * k + j] - max);
            for (int j = 0; j < k; j++) y[r * k + j] /= sum;
        }
        return y;
    }
}
