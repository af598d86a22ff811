package cuda;

import backprop.Loss;
import backprop.loss.BinaryCrossEntropyWithLogits;
import backprop.loss.L1Loss;
import backprop.loss.MeanSquaredError;
import backprop.loss.MultiClassHinge;
import backprop.loss.NegativeLogLikelihood;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.loss.SumSquaredError;

/**
 * The loss of {@link GpuMlp} on the device: a kernel writes ∂E/∂prediction and one partial sum a row, and the
 * host turns the rows' sums into the CPU loss's value. Each loss keeps the CPU's convention, so the gradient
 * scale is the float the CPU multiplies by and the mean is the CPU's division, in double:
 * <pre>
 * CPU loss     kernel                 targets                      gradScale (float)   E (double, from Σ rows)
 * softmax_ce   softmax_cross_entropy  rows (one-hot from labels)   1/B                 Σ/B
 * mse          squared_error          rows                         2/(B·K)             Σ/(B·K)
 * mse_half     squared_error          rows                         1/B                 Σ/(2B)
 * sse          squared_error          rows                         1                   ½·Σ
 * l1           l1_loss                rows                         1/(B·K)             Σ/(B·K)
 * bce_logits   bce_with_logits        rows                         1/(B·K)             Σ/(B·K)
 * nll          nll_loss               B class indices              −1/B                Σ/B
 * hinge        multiclass_hinge       B class indices              1/B                 Σ/B
 * </pre>
 * A class-weighted loss ({@code backprop.loss.ClassWeighted}) has no kernel.
 */
enum GpuLoss {
    SOFTMAX_CE(null),
    MSE(DeviceKernels.RowLoss.SQUARED_ERROR),
    MSE_HALF(DeviceKernels.RowLoss.SQUARED_ERROR),
    SSE(DeviceKernels.RowLoss.SQUARED_ERROR),
    L1(DeviceKernels.RowLoss.L1),
    BCE_LOGITS(DeviceKernels.RowLoss.BCE_WITH_LOGITS),
    NLL(DeviceKernels.RowLoss.NLL),
    HINGE(DeviceKernels.RowLoss.MULTICLASS_HINGE);

    /** The row-loss kernel, null for softmax cross-entropy (its own kernel, which also writes the probabilities). */
    final DeviceKernels.RowLoss kernel;

    GpuLoss(DeviceKernels.RowLoss kernel) {
        this.kernel = kernel;
    }

    /** The GPU version of {@code loss}, or null when it has none. */
    static GpuLoss of(Loss loss) {
        if (loss instanceof SoftmaxCrossEntropy) return SOFTMAX_CE;
        if (loss instanceof MeanSquaredError m) return m.convention() == MeanSquaredError.Convention.MEAN ? MSE : MSE_HALF;
        if (loss instanceof SumSquaredError) return SSE;
        if (loss instanceof L1Loss) return L1;
        if (loss instanceof BinaryCrossEntropyWithLogits) return BCE_LOGITS;
        if (loss instanceof NegativeLogLikelihood) return NLL;
        if (loss instanceof MultiClassHinge) return HINGE;
        return null;
    }

    /** True when the targets are B class indices only (nll, hinge). */
    boolean indicesOnly() {
        return kernel != null && kernel.classIndices();
    }

    /** True when the targets may be B class indices (turned into one-hot rows on the host) or rows (softmax_ce). */
    boolean indicesOrRows() {
        return this == SOFTMAX_CE;
    }

    /** ∂E/∂prediction's factor, the float the CPU loss computes. */
    float gradScale(int batch, int k) {
        return switch (this) {
            case SOFTMAX_CE, MSE_HALF, HINGE -> 1f / batch;
            case MSE -> 2f / ((float) batch * k);
            case SSE -> 1f;
            case L1, BCE_LOGITS -> 1f / ((float) batch * k);
            case NLL -> -1f / batch;
        };
    }

    /** E from the sum of the rows' partial sums, as the CPU loss divides its sum. */
    double value(double sum, int batch, int k) {
        return switch (this) {
            case SOFTMAX_CE, NLL, HINGE -> sum / batch;
            case MSE, L1, BCE_LOGITS -> sum / ((double) batch * k);
            case MSE_HALF -> sum / (2.0 * batch);
            case SSE -> 0.5 * sum;
        };
    }
}
