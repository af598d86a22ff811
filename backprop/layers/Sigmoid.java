package backprop.layers;

import kernels.Activations;

/** σ(x) = 1/(1 + e^{−x}); backward ∂E/∂x = ∂E/∂y · y(1 − y), from the output y. */
public final class Sigmoid extends Activation {
    public Sigmoid() {
        super("sigmoid");
    }

    @Override
    protected void apply(int n, float[] x, int xOff, float[] y) {
        // y = 1/(1 + e^{−x})
        Activations.sigmoid(n, x, xOff, y, 0);
    }

    @Override
    protected void derivative(int n, float[] x, int xOff, float[] y, float[] g, int gOff, float[] dx) {
        // ∂E/∂x = ∂E/∂y · y(1 − y)
        Activations.sigmoidBackward(n, y, 0, g, gOff, dx, 0);
    }

    @Override
    protected double apply64(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }
}
