package cuda;

import backprop.Network;
import backprop.layers.BatchNorm;
import backprop.optim.Regularization;

/**
 * A {@link BatchNorm} layer on the device ({@code batch_norm.cu}, which transcribes the CPU layer's arithmetic):
 * <pre>
 * training   μ, σ² of the batch (biased), x̂ = (x − μ)/√(σ² + eps), y = γ·x̂ + β;
 *            running_mean ← (1 − m)·running_mean + m·μ, running_var ← (1 − m)·running_var + m·σ²·B/(B − 1)
 * evaluation x̂ = (x − running_mean)/√(running_var + eps), y = γ·x̂ + β
 * backward   ∂E/∂γ = Σ ∂E/∂y·x̂, ∂E/∂β = Σ ∂E/∂y, ∂E/∂x (training form)
 * </pre>
 * γ and β are parameters like a Dense layer's (sgd_momentum, with L1/L2 only where the regularization
 * reaches them, as on the CPU); the running statistics live on the device and come back with the weights.
 */
final class GpuBatchNormStage<B> extends GpuStage<B> {
    private final BatchNorm layer;
    private final GpuParameter<B> gamma, beta;
    private final B runningMean, runningVar, invStd;  // [features]
    private final DeviceKernels<B> site;
    private B xHat;  // [maxBatch, features]

    GpuBatchNormStage(Context<B> ctx, Network network, int index, BatchNorm layer) {
        super(ctx, network, index);
        this.layer = layer;
        this.gamma = new GpuParameter<>(ctx, layer.gamma());
        this.beta = new GpuParameter<>(ctx, layer.beta());
        this.runningMean = ctx.allocate(out);
        this.runningVar = ctx.allocate(out);
        this.invStd = ctx.allocate(out);
        this.site = ctx.newSite();
    }

    @Override
    B forward(B x, int batch, boolean training) {
        if (training) {
            // the batch's statistics; the running ones move towards them
            site.batchNormForwardTrain(batch, out, layer.eps(), layer.momentum(), x, gamma.value, beta.value, runningMean, runningVar,
                    invStd, xHat, output);
        } else {
            // the running statistics
            site.batchNormForwardEval(batch, out, layer.eps(), x, gamma.value, beta.value, runningMean, runningVar, invStd, xHat, output);
        }
        return output;
    }

    @Override
    B backward(B x, B g, int batch, boolean inputGradientNeeded) {
        // ∂E/∂γ, ∂E/∂β and ∂E/∂x in one pass (the kernel writes all three: a frozen γ's gradient is never read)
        site.batchNormBackward(batch, out, true, g, xHat, gamma.value, invStd, gamma.gradient, beta.gradient, inputGradient);
        return inputGradientNeeded ? inputGradient : null;
    }

    @Override
    int minTrainingBatch() {
        return 2;
    }

    @Override
    boolean alwaysWritesInputGradient() {
        return true;
    }

    @Override
    boolean trainable() {
        return !gamma.frozen() || !beta.frozen();
    }

    @Override
    void update(float lr, float mu, Regularization reg) {
        gamma.update(lr, mu, reg);
        beta.update(lr, mu, reg);
    }

    @Override
    void copyToNetwork() {
        gamma.copyToNetwork();
        beta.copyToNetwork();
        ctx.device().download(runningMean, layer.runningMean().data(), out);
        ctx.device().download(runningVar, layer.runningVar().data(), out);
    }

    @Override
    void copyFromNetwork() {
        gamma.copyFromNetwork();
        beta.copyFromNetwork();
        ctx.device().upload(layer.runningMean().data(), 0, runningMean, out);
        ctx.device().upload(layer.runningVar().data(), 0, runningVar, out);
    }

    @Override
    void allocateBatchBuffers(int maxBatch) {
        super.allocateBatchBuffers(maxBatch);
        xHat = ctx.allocate(maxBatch * out);
    }

    @Override
    void freeBatchBuffers() {
        super.freeBatchBuffers();
        if (xHat != null) ctx.free(xHat);
        xHat = null;
    }
}
