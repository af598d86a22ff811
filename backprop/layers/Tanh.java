package backprop.layers;

import kernels.Activations;

/** y = tanh x; backward ∂E/∂x = ∂E/∂y · (1 − y²). */
public final class Tanh extends Activation {
    public Tanh() {
        super("tanh");
    }

    @Override
    protected void apply(int n, float[] x, int xOff, float[] y) {
        // y = tanh x
        Activations.tanh(n, x, xOff, y, 0);
    }

    @Override
    protected void derivative(int n, float[] x, int xOff, float[] y, float[] g, int gOff, float[] dx) {
        // ∂E/∂x = ∂E/∂y · (1 − y²)
        Activations.tanhBackward(n, y, 0, g, gOff, dx, 0);
    }

    @Override
    protected double apply64(double x) {
        return Math.tanh(x);
    }
}
