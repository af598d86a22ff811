package backprop.layers;

import backprop.BatchBuffer;
import backprop.DoubleForward;
import kernels.Activations;
import kernels.RowSoftmax;
import tensor.Tensor;

/**
 * log softmax over each row, by log-sum-exp: y_k = z_k − max − log Σ_j e^{z_j − max}. Feeds the
 * NLL loss. Backward: ∂E/∂z_k = ∂E/∂y_k − softmax_k·Σ_j ∂E/∂y_j, with softmax_k = e^{y_k}.
 */
public final class LogSoftmax extends AbstractLayer implements DoubleForward {
    private final BatchBuffer output = new BatchBuffer();
    private final BatchBuffer gradInput = new BatchBuffer();
    private Tensor out;

    public LogSoftmax() {
        super("logsoftmax");
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
            int zr = z.offset() + r * k, yr = r * k;
            float max = RowSoftmax.max(zd, zr, k);
            // log Σ e^{z_j} = max + log Σ e^{z_j − max}
            float logSum = max + (float) Math.log(RowSoftmax.sumExp(zd, zr, max, k));
            for (int j = 0; j < k; j++) y[yr + j] = zd[zr + j] - logSum;
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
            float sumG = 0f;
            for (int j = 0; j < k; j++) sumG += gd[gr + j];
            // ∂E/∂z_k = ∂E/∂y_k − e^{y_k}·Σ_j ∂E/∂y_j
            for (int j = 0; j < k; j++) d[yr + j] = gd[gr + j] - Activations.exp(y[yr + j]) * sumG;
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
            for (int j = 0; j < k; j++) sum += Math.exp(z[r * k + j] - max);
            double logSum = max + Math.log(sum);
            for (int j = 0; j < k; j++) y[r * k + j] = z[r * k + j] - logSum;
        }
        return y;
    }
}
