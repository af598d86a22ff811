package backprop.layers;

import kernels.Activations;

/** y = x for x > 0, else slope·x (PyTorch's default slope 0.01); backward ∂E/∂x = ∂E/∂y · (1 or slope). */
public final class LeakyReLU extends Activation {
    private final float slope;

    public LeakyReLU() {
        this(0.01f);
    }

    public LeakyReLU(float slope) {
        super("leakyrelu");
        if (!Float.isFinite(slope)) throw new IllegalArgumentException("leaky ReLU slope must be finite, got " + slope);
        this.slope = slope;
    }

    public float slope() { return slope; }

    @Override
    protected void apply(int n, float[] x, int xOff, float[] y) {
        // y = x if x > 0 else slope·x
        Activations.leakyRelu(n, slope, x, xOff, y, 0);
    }

    @Override
    protected void derivative(int n, float[] x, int xOff, float[] y, float[] g, int gOff, float[] dx) {
        // ∂E/∂x = ∂E/∂y · (1 if x > 0 else slope)
        Activations.leakyReluBackward(n, slope, x, xOff, g, gOff, dx, 0);
    }

    @Override
    protected double apply64(double x) {
        return x > 0 ? x : slope * x;
    }
}
