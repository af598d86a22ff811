package backprop.layers;

import backprop.BatchBuffer;
import backprop.DoubleForward;
import backprop.init.Initializer;
import java.util.SplittableRandom;
import kernels.VectorOps;
import tensor.Tensor;

/**
 * Inverted dropout with rate p: in training each element is kept with probability 1 − p and
 * scaled by 1/(1 − p), so the expected output equals the input and evaluation is the identity.
 * The mask comes from a seeded generator: the seed given here, or else one split from the
 * network's generator by {@code initialize}, so a seed reproduces the masks.
 *
 * <pre>
 * forward    mask_i = [u_i ≥ p]/(1 − p),   y = x·mask
 * backward   ∂E/∂x = ∂E/∂y · mask
 * </pre>
 */
public final class Dropout extends AbstractLayer implements DoubleForward {
    private final float p;
    private final boolean explicitSeed;
    private SplittableRandom rng;
    private final BatchBuffer output = new BatchBuffer();
    private final BatchBuffer maskBuffer = new BatchBuffer();
    private final BatchBuffer gradInput = new BatchBuffer();
    private Tensor mask;      // of the last training forward
    private boolean lastTraining;
    private int[] lastShape = new int[2];

    /** Dropout with rate p, its masks seeded from the network's initialization. */
    public Dropout(float p) {
        this(p, 0L, false);
    }

    /** Dropout with rate p and its own seed. */
    public Dropout(float p, long seed) {
        this(p, seed, true);
    }

    private Dropout(float p, long seed, boolean explicitSeed) {
        super("dropout");
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + p);
        this.p = p;
        this.explicitSeed = explicitSeed;
        this.rng = new SplittableRandom(seed);
    }

    public float rate() { return p; }

    /**
     * Restarts the mask generator from {@code seed}. A trainer that reseeds every epoch from
     * (seed, epoch) draws the same masks in a resumed run as in an uninterrupted one.
     */
    public void reseed(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public void initialize(Initializer init, SplittableRandom networkRng) {
        if (!explicitSeed) rng = networkRng.split();
    }

    @Override
    public int outputFeatures(int inputFeatures) {
        return inputFeatures;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        BatchBuffer.requireContiguousBatch(x, this, -1);
        lastTraining = training;
        lastShape[0] = x.dim(0);
        lastShape[1] = x.dim(1);
        if (!training || p == 0f) return x; // evaluation: the identity
        int n = x.size();
        mask = maskBuffer.get(x.dim(0), x.dim(1));
        Tensor y = output.get(x.dim(0), x.dim(1));
        float[] m = mask.data();
        float keepScale = 1f / (1f - p);
        // mask_i = [u_i ≥ p]/(1 − p)
        for (int i = 0; i < n; i++) m[i] = rng.nextDouble() >= p ? keepScale : 0f;
        // y = x·mask
        VectorOps.mul(n, x.data(), x.offset(), m, 0, y.data(), 0);
        return y;
    }

    @Override
    public Tensor backward(Tensor g) {
        BatchBuffer.requireGradient(g, this, lastShape[0], lastShape[1]);
        if (!lastTraining || p == 0f) return g;
        Tensor dx = gradInput.get(g.dim(0), g.dim(1));
        // ∂E/∂x = ∂E/∂y · mask
        VectorOps.mul(g.size(), g.data(), g.offset(), mask.data(), 0, dx.data(), 0);
        return dx;
    }

    /** Uses the mask of the last training forward (the gradient check perturbs around it). */
    @Override
    public double[] forward64(double[] x, int batch, double[][] params, boolean training) {
        double[] y = x.clone();
        if (!training || p == 0f) return y;
        if (mask == null || mask.size() != x.length) {
            throw new IllegalStateException(who() + ": forward64 in training needs the mask of a float forward on the same shape");
        }
        for (int i = 0; i < y.length; i++) y[i] *= mask.data()[i];
        return y;
    }
}
