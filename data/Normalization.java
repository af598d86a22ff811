package data;

import java.util.Arrays;

/**
 * x ← (x − mean) / std per feature, applied by the {@link Loader} to each minibatch after
 * augmentation. Fitted on the training set only, so no test statistics leak into training.
 */
public final class Normalization {
    /** A feature whose std is below this is left unscaled (a constant pixel would divide by ~0). */
    static final double MIN_STD = 1e-6;

    private final float[] mean;
    private final float[] invStd;
    private final boolean identity;

    private Normalization(float[] mean, float[] invStd) {
        this.mean = mean;
        this.invStd = invStd;
        boolean same = true;
        // +0 exactly: a mean of −0 would turn x = −0 into +0
        for (int j = 0; j < mean.length && same; j++) same = Float.floatToRawIntBits(mean[j]) == 0 && invStd[j] == 1f;
        this.identity = same;
    }

    /** The normalization a run names ({@code --normalize}): global, feature or none, fitted on the training set. */
    public static Normalization byName(String name, Dataset train) {
        return switch (name) {
            case "global" -> global(train);
            case "feature" -> perFeature(train);
            case "none" -> identity(train.dim());
            default -> throw new IllegalArgumentException("normalize must be global, feature or none, got '" + name + "'");
        };
    }

    /** No change: mean 0, std 1. */
    public static Normalization identity(int dim) {
        float[] ones = new float[dim];
        Arrays.fill(ones, 1f);
        return new Normalization(new float[dim], ones);
    }

    /** One mean and std for every feature (the usual choice for images: the pixels share a scale). */
    public static Normalization global(Dataset train) {
        float[] x = train.features().data();
        int off = train.features().offset();
        long n = (long) train.size() * train.dim();
        double sum = 0;
        for (long i = 0; i < n; i++) sum += x[off + (int) i];
        double mean = sum / Math.max(1, n);
        double sq = 0;
        for (long i = 0; i < n; i++) {
            double dev = x[off + (int) i] - mean;
            sq += dev * dev;
        }
        double std = Math.sqrt(sq / Math.max(1, n));
        return scalar(train.dim(), (float) mean, (float) (std < MIN_STD ? 1 : std));
    }

    /** Each feature its own mean and std over the examples (the usual choice for tabular data). */
    public static Normalization perFeature(Dataset train) {
        int d = train.dim();
        int n = train.size();
        float[] x = train.features().data();
        int off = train.features().offset();
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) sum[j] += x[off + i * d + j];
        double[] sq = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double dev = x[off + i * d + j] - sum[j] / n;
                sq[j] += dev * dev;
            }
        }
        float[] mean = new float[d];
        float[] invStd = new float[d];
        for (int j = 0; j < d; j++) {
            mean[j] = (float) (sum[j] / Math.max(1, n));
            double std = Math.sqrt(sq[j] / Math.max(1, n));
            invStd[j] = (float) (std < MIN_STD ? 1 : 1 / std);
        }
        return new Normalization(mean, invStd);
    }

    /** The same {@code mean} and {@code std} for all {@code dim} features (e.g. MNIST's 0.1307, 0.3081). */
    public static Normalization scalar(int dim, float mean, float std) {
        float[] m = new float[dim];
        float[] s = new float[dim];
        Arrays.fill(m, mean);
        Arrays.fill(s, 1f / std);
        return new Normalization(m, s);
    }

    /** The normalization with these per-feature means and reciprocal stds (as a checkpoint stores them). */
    public static Normalization of(float[] mean, float[] invStd) {
        if (mean.length != invStd.length) {
            throw new IllegalArgumentException("normalization: " + mean.length + " means but " + invStd.length + " inverse stds");
        }
        for (int j = 0; j < mean.length; j++) {
            if (!Float.isFinite(mean[j]) || !(invStd[j] > 0f) || Float.isInfinite(invStd[j])) {
                throw new IllegalArgumentException("normalization: feature " + j + " has mean " + mean[j] + " and 1/std " + invStd[j]
                        + " (need finite values and 1/std > 0)");
            }
        }
        return new Normalization(mean.clone(), invStd.clone());
    }

    public int dim() { return mean.length; }

    /** True when {@link #apply} changes nothing: (x − 0)·1 = x, bit for bit, NaN and −0 included. */
    public boolean isIdentity() { return identity; }
    public float[] mean() { return mean.clone(); }
    /** 1 / std per feature. */
    public float[] invStd() { return invStd.clone(); }

    /** Normalizes {@code x[off, off + dim)} in place. */
    public void apply(float[] x, int off) {
        for (int j = 0; j < mean.length; j++) {
            // x̂ = (x − μ) / σ
            x[off + j] = (x[off + j] - mean[j]) * invStd[j];
        }
    }

    /** Undoes {@link #apply} (for showing a normalized image). */
    public void invert(float[] x, int off) {
        for (int j = 0; j < mean.length; j++) x[off + j] = x[off + j] / invStd[j] + mean[j];
    }
}
