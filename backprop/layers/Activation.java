package backprop.layers;

import backprop.BatchBuffer;
import backprop.DoubleForward;
import tensor.Tensor;

/**
 * An elementwise layer y = f(x): same shape in and out, no parameters, backward
 * ∂E/∂x = ∂E/∂y · f'(x). Subclasses give f and the product with f', both over flat float[].
 */
public abstract class Activation extends AbstractLayer implements DoubleForward {
    private final BatchBuffer output = new BatchBuffer();
    private final BatchBuffer gradInput = new BatchBuffer();
    private Tensor input;
    private Tensor out;

    protected Activation(String kind) {
        super(kind);
    }

    /** y[0..n) = f(x[0..n)). */
    protected abstract void apply(int n, float[] x, int xOff, float[] y);

    /** dx[0..n) = g·f'(x), given x and y = f(x) (each activation reads the cheaper one). */
    protected abstract void derivative(int n, float[] x, int xOff, float[] y, float[] g, int gOff, float[] dx);

    /** f in double, for the gradient check. */
    protected abstract double apply64(double x);

    @Override
    public int outputFeatures(int inputFeatures) {
        return inputFeatures;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        BatchBuffer.requireContiguousBatch(x, this, -1);
        input = x;
        out = output.get(x.dim(0), x.dim(1));
        apply(x.size(), x.data(), x.offset(), out.data());
        return out;
    }

    @Override
    public Tensor backward(Tensor g) {
        if (out == null) throw new IllegalStateException(who() + ": backward before forward");
        BatchBuffer.requireGradient(g, this, out.dim(0), out.dim(1));
        Tensor dx = gradInput.get(g.dim(0), g.dim(1));
        derivative(g.size(), input.data(), input.offset(), out.data(), g.data(), g.offset(), dx.data());
        return dx;
    }

    @Override
    public double[] forward64(double[] x, int batch, double[][] params, boolean training) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = apply64(x[i]);
        return y;
    }
}
