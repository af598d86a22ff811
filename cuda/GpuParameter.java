package cuda;

import backprop.Parameter;
import backprop.optim.Regularization;
import tensor.Tensor;

/**
 * A parameter on the device: value, gradient and velocity, updated by {@code sgd_momentum} as
 * {@link backprop.optim.Sgd} updates it (same fused multiply-adds, so from the same w, g and v the same
 * bits), copied to and from the network and the optimizer's momentum buffer. In a mirror for inference
 * (no optimizer: {@code ctx.sgd()} is null) only the value is on the device.
 */
final class GpuParameter<B> {
    final Parameter p;
    final B value, gradient, velocity;
    private final GpuStage.Context<B> ctx;
    private final DeviceKernels<B> updateSite;

    GpuParameter(GpuStage.Context<B> ctx, Parameter p) {
        this.ctx = ctx;
        this.p = p;
        boolean training = ctx.sgd() != null;
        this.value = ctx.allocate(p.size());
        this.gradient = training ? ctx.allocate(p.size()) : null;
        this.velocity = training ? ctx.allocate(p.size()) : null;
        this.updateSite = training ? ctx.newSite() : null;
    }

    boolean frozen() {
        return p.frozen();
    }

    void update(float lr, float mu, Regularization reg) {
        if (p.frozen()) return;
        boolean decays = reg.appliesTo(p);
        // g ← g + λ₂·w + λ₁·sign(w), v ← μ·v + g, w ← w − lr·v
        updateSite.sgdMomentum(p.size(), lr, mu, decays ? reg.l1() : 0f, decays ? reg.l2() : 0f, value, gradient, velocity);
    }

    /** The value, the gradient (when unfrozen) and the velocity (with momentum) into the network and optimizer. */
    void copyToNetwork() {
        ctx.device().download(value, p.value().data(), p.size());
        if (ctx.sgd() == null) return;  // inference: the value is all there is
        if (!p.frozen()) ctx.device().download(gradient, p.gradient().data(), p.size());
        Tensor v = ctx.sgd().velocity(p.name());
        if (v != null) ctx.device().download(velocity, v.data(), p.size());
    }

    /** The value and the velocity (zeros without momentum) up to the device. */
    void copyFromNetwork() {
        ctx.device().upload(p.value().data(), 0, value, p.size());
        if (ctx.sgd() == null) return;
        Tensor v = ctx.sgd().velocity(p.name());
        if (v != null) {
            ctx.device().upload(v.data(), 0, velocity, p.size());
        } else {
            ctx.device().zero(velocity, p.size());
        }
    }
}
