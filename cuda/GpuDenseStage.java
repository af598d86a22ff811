package cuda;

import backprop.Network;
import backprop.layers.Dense;
import backprop.optim.Regularization;

/**
 * A {@link Dense} layer on the device:
 * <pre>
 * forward    h = x·Wᵀ            sgemm(no, transposed)
 *            h += b              bias_add
 * backward   ∂E/∂W = (∂E/∂h)ᵀ·x  sgemm(transposed, no)
 *            ∂E/∂b = Σ_rows ∂E/∂h column_sums
 *            ∂E/∂x = ∂E/∂h·W     sgemm(no, no)   (not for the first trainable layer, as on the CPU)
 * </pre>
 */
final class GpuDenseStage<B> extends GpuStage<B> {
    private final GpuParameter<B> weight;  // W [out][in]
    private final GpuParameter<B> bias;    // b [out], or null
    private final DeviceKernels<B> forwardSite, weightGradientSite, inputGradientSite;

    GpuDenseStage(Context<B> ctx, Network network, int index, Dense dense) {
        super(ctx, network, index);
        this.weight = new GpuParameter<>(ctx, dense.weight());
        this.bias = dense.bias() == null ? null : new GpuParameter<>(ctx, dense.bias());
        this.forwardSite = ctx.newSite();
        this.weightGradientSite = ctx.newSite();
        this.inputGradientSite = ctx.newSite();
    }

    @Override
    B forward(B x, int batch, boolean training) {
        // h = x·Wᵀ
        forwardSite.sgemm(false, true, batch, out, in, 1f, x, in, weight.value, in, 0f, output, out);
        // h += b in every row
        if (bias != null) forwardSite.biasAdd(batch, out, output, bias.value);
        return output;
    }

    @Override
    B backward(B x, B g, int batch, boolean inputGradientNeeded) {
        if (!weight.frozen()) {
            // ∂E/∂W = (∂E/∂h)ᵀ·x, summed over the batch
            weightGradientSite.sgemm(true, false, out, in, batch, 1f, g, out, x, in, 0f, weight.gradient, in);
        }
        if (bias != null && !bias.frozen()) {
            // ∂E/∂b = Σ_rows ∂E/∂h
            weightGradientSite.columnSums(batch, out, g, bias.gradient);
        }
        if (!inputGradientNeeded) return null;
        // ∂E/∂x = ∂E/∂h·W
        inputGradientSite.sgemm(false, false, batch, in, out, 1f, g, out, weight.value, in, 0f, inputGradient, in);
        return inputGradient;
    }

    @Override
    boolean trainable() {
        return !weight.frozen() || (bias != null && !bias.frozen());
    }

    @Override
    void update(float lr, float mu, Regularization reg) {
        weight.update(lr, mu, reg);
        if (bias != null) bias.update(lr, mu, reg);
    }

    @Override
    void copyToNetwork() {
        weight.copyToNetwork();
        if (bias != null) bias.copyToNetwork();
    }

    @Override
    void copyFromNetwork() {
        weight.copyFromNetwork();
        if (bias != null) bias.copyFromNetwork();
    }
}
