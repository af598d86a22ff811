package backprop.layers;

import backprop.BatchBuffer;
import backprop.DoubleForward;
import backprop.Parameter;
import backprop.init.Initializer;
import java.util.List;
import java.util.SplittableRandom;
import kernels.Sgemm;
import kernels.VectorOps;
import tensor.Tensor;

/**
 * A fully connected layer, as PyTorch's Linear: weights {@code W [out][in]}, bias {@code b [out]},
 * {@code h = x·Wᵀ + b} for a batch {@code x [batch][in]}. The bias is fused into the product: the
 * output rows start as copies of b and the GEMM adds x·Wᵀ onto them (beta = 1), so no extra pass.
 *
 * <pre>
 * forward    h      = x·Wᵀ + b
 * backward   ∂E/∂W  = (∂E/∂h)ᵀ·x        (Δw of the notes, summed over the batch)
 *            ∂E/∂b  = Σ_rows ∂E/∂h
 *            ∂E/∂x  = ∂E/∂h·W
 * </pre>
 */
public final class Dense extends AbstractLayer implements DoubleForward {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias; // null without bias
    private final List<Parameter> parameters;  // built once: a step asks for it, and must not allocate
    private final BatchBuffer output = new BatchBuffer();
    private final BatchBuffer gradInput = new BatchBuffer();
    private Tensor input;

    /** A dense layer with bias. */
    public Dense(int in, int out) {
        this(in, out, true);
    }

    /** A dense layer, with or without bias (the notes' networks have none). */
    public Dense(int in, int out, boolean withBias) {
        super("dense");
        if (in < 1 || out < 1) throw new IllegalArgumentException("dense: sizes must be >= 1, got in=" + in + " out=" + out);
        this.in = in;
        this.out = out;
        this.weight = new Parameter("weight", Tensor.zeros(out, in), true);
        this.bias = withBias ? new Parameter("bias", Tensor.zeros(out), false) : null;
        this.parameters = bias == null ? List.of(weight) : List.of(weight, bias);
    }

    public int inFeatures() { return in; }
    public int outFeatures() { return out; }
    /** W {@code [out][in]}. */
    public Parameter weight() { return weight; }
    /** b {@code [out]}, or null for a layer without bias. */
    public Parameter bias() { return bias; }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public int outputFeatures(int inputFeatures) {
        if (inputFeatures != in) {
            throw new IllegalArgumentException(who() + " expects " + in + " input features but gets " + inputFeatures);
        }
        return out;
    }

    @Override
    public void initialize(Initializer init, SplittableRandom rng) {
        init.fill(weight.value().data(), 0, in, out, rng);
        if (bias != null) bias.value().fill(0f);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        BatchBuffer.requireBatch(x, this, in);
        input = x;
        int batch = x.dim(0);
        Tensor h = output.get(batch, out);
        float[] hd = h.data();
        if (bias != null) {
            // h = b in every row, then h += x·Wᵀ below (the bias fused into the GEMM's beta = 1)
            float[] b = bias.value().data();
            for (int r = 0; r < batch; r++) System.arraycopy(b, 0, hd, r * out, out);
        }
        // h = x·Wᵀ + b
        Sgemm.sgemm(false, true, batch, out, in, 1f, x.data(), x.offset(), x.ld(),
                weight.value().data(), 0, in, bias != null ? 1f : 0f, hd, 0, out);
        return h;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        backwardParametersOnly(gradOutput);
        Tensor g = gradOutput;
        Tensor dx = gradInput.get(g.dim(0), in);
        // ∂E/∂x = ∂E/∂h·W
        Sgemm.sgemm(false, false, g.dim(0), in, out, 1f, g.data(), g.offset(), g.ld(),
                weight.value().data(), 0, in, 0f, dx.data(), 0, in);
        return dx;
    }

    @Override
    public void backwardParametersOnly(Tensor gradOutput) {
        Tensor x = input;
        if (x == null) throw new IllegalStateException(who() + ": backward before forward");
        Tensor g = gradOutput;
        if (g.rank() != 2 || g.transposed() || g.dim(0) != x.dim(0) || g.dim(1) != out) {
            throw new IllegalArgumentException(who() + ": expected gradient [" + x.dim(0) + ", " + out + "] but got "
                    + java.util.Arrays.toString(g.shape()));
        }
        int batch = x.dim(0);
        if (!weight.frozen()) {
            // ∂E/∂W = (∂E/∂h)ᵀ·x, summed over the batch
            Sgemm.sgemm(true, false, out, in, batch, 1f, g.data(), g.offset(), g.ld(),
                    x.data(), x.offset(), x.ld(), 0f, weight.gradient().data(), 0, in);
        }
        if (bias != null && !bias.frozen()) {
            // ∂E/∂b = Σ_rows ∂E/∂h
            VectorOps.sumRows(batch, out, g.data(), g.offset(), g.ld(), 0f, bias.gradient().data(), 0);
        }
    }

    @Override
    public double[] forward64(double[] x, int batch, double[][] params, boolean training) {
        double[] w = params[0];
        double[] h = new double[batch * out];
        for (int r = 0; r < batch; r++) {
            for (int o = 0; o < out; o++) {
                double s = bias != null ? params[1][o] : 0.0;
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
                h[r * out + o] = s;
            }
        }
        return h;
    }

    @Override
    protected String who() {
        return name() + " (Dense " + in + "→" + out + ")";
    }
}
