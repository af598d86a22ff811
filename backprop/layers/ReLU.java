package backprop.layers;

import kernels.Activations;

/** y = max(0, x); backward ∂E/∂x = ∂E/∂y where x > 0, else 0 (0 at the kink, as PyTorch). */
public final class ReLU extends Activation {
    public ReLU() {
        super("relu");
    }

    @Override
    protected void apply(int n, float[] x, int xOff, float[] y) {
        // y = max(0, x)
        Activations.leakyRelu(n, 0f, x, xOff, y, 0);
    }

    @Override
    protected void derivative(int n, float[] x, int xOff, float[] y, float[] g, int gOff, float[] dx) {
        // ∂E/∂x = ∂E/∂y · [x > 0]
        Activations.leakyReluBackward(n, 0f, x, xOff, g, gOff, dx, 0);
    }

    @Override
    protected double apply64(double x) {
        return x > 0 ? x : 0.0;
    }
}
