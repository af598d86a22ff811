package cuda;

import backprop.Layer;
import backprop.Network;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Softmax;
import backprop.layers.Tanh;

/**
 * A layer without parameters that is one kernel forward and one backward:
 * <pre>
 * sigmoid, tanh, ReLU   y = f(h)                   ∂E/∂h = ∂E/∂y·f'  (from the output y)
 * leaky ReLU            y = h or a·h               ∂E/∂h = ∂E/∂y·(1 or a)  (from the input h)
 * log-softmax           y = h − log Σ_row e^h      ∂E/∂h = ∂E/∂y − e^y·Σ_row ∂E/∂y  (from the output y)
 * softmax               y = e^h/Σ_row e^h          ∂E/∂h = y·(∂E/∂y − Σ_row ∂E/∂y·y)  (from the output y)
 * </pre>
 */
final class GpuFunctionStage<B> extends GpuStage<B> {
    enum Function { SIGMOID, TANH, RELU, LEAKY_RELU, LOG_SOFTMAX, SOFTMAX }

    private final Function f;
    private final float slope;  // leaky ReLU's a
    private final DeviceKernels<B> site;

    GpuFunctionStage(Context<B> ctx, Network network, int index, Function f) {
        super(ctx, network, index);
        this.f = f;
        this.slope = network.layers().get(index) instanceof LeakyReLU l ? l.slope() : 0f;
        this.site = ctx.newSite();
    }

    /** The function of {@code l}, or null when it is not one of these. */
    static Function functionOf(Layer l) {
        if (l instanceof Sigmoid) return Function.SIGMOID;
        if (l instanceof Tanh) return Function.TANH;
        if (l instanceof ReLU) return Function.RELU;
        if (l instanceof LeakyReLU) return Function.LEAKY_RELU;
        if (l instanceof LogSoftmax) return Function.LOG_SOFTMAX;
        if (l instanceof Softmax) return Function.SOFTMAX;
        return null;
    }

    @Override
    B forward(B x, int batch, boolean training) {
        switch (f) {
            // y = f(h)
            case SIGMOID -> site.activationForward(DeviceKernels.Activation.SIGMOID, batch * out, x, output);
            case TANH -> site.activationForward(DeviceKernels.Activation.TANH, batch * out, x, output);
            case RELU -> site.activationForward(DeviceKernels.Activation.RELU, batch * out, x, output);
            // y = h if h > 0 else a·h
            case LEAKY_RELU -> site.leakyReluForward(batch * out, slope, x, output);
            // y = h − log Σ e^h a row
            case LOG_SOFTMAX -> site.logSoftmaxForward(batch, out, x, output);
            // y = e^h/Σ e^h a row
            case SOFTMAX -> site.softmaxForward(batch, out, x, output);
        }
        return output;
    }

    @Override
    B backward(B x, B g, int batch, boolean inputGradientNeeded) {
        if (!inputGradientNeeded) return null;
        switch (f) {
            // ∂E/∂h = ∂E/∂y · f'(h), f' from the output y
            case SIGMOID -> site.activationBackward(DeviceKernels.Activation.SIGMOID, batch * out, output, g, inputGradient);
            case TANH -> site.activationBackward(DeviceKernels.Activation.TANH, batch * out, output, g, inputGradient);
            case RELU -> site.activationBackward(DeviceKernels.Activation.RELU, batch * out, output, g, inputGradient);
            // ∂E/∂h = ∂E/∂y · (1 if h > 0 else a), from the input h
            case LEAKY_RELU -> site.leakyReluBackward(batch * out, slope, x, g, inputGradient);
            // ∂E/∂h = ∂E/∂y − e^y·Σ_row ∂E/∂y
            case LOG_SOFTMAX -> site.logSoftmaxBackward(batch, out, output, g, inputGradient);
            // ∂E/∂h = y·(∂E/∂y − Σ_row ∂E/∂y·y)
            case SOFTMAX -> site.softmaxBackward(batch, out, output, g, inputGradient);
        }
        return inputGradient;
    }
}
