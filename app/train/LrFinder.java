package app.train;

import java.util.Arrays;

/**
 * The learning-rate range test (L. Smith, "Cyclical Learning Rates for Training Neural Networks",
 * 2017): train for a few hundred minibatches while the learning rate grows exponentially from
 * {@code start} to {@code end}, record the loss, and suggest the rate where the loss falls fastest.
 *
 * <pre>
 * lr_i     = start·(end/start)^(i/(steps − 1))
 * avg_i    = β·avg_{i−1} + (1 − β)·loss_i,   smooth_i = avg_i/(1 − β^(i+1))   (β = 0.98, bias-corrected)
 * stop     when smooth_i > 4·min smooth, or the loss is not finite (diverged)
 * suggest  the centre (in log lr) of the window of w + 1 points (w = max(3, n/10)), ending at
 *          or before the minimum, over which smooth falls most steeply: the window whose
 *          least-squares slope of smooth against ln lr is the most negative
 *          ("steepest sustained descent")
 * </pre>
 * The window makes the descent sustained: a few lucky batches cannot move the suggestion.
 */
public final class LrFinder {
    /** Weight of the past in the moving average of the loss. */
    public static final double BETA = 0.98;
    /** Stop once the smoothed loss exceeds this multiple of its minimum. */
    public static final double DIVERGENCE = 4.0;

    /** The recorded curve (lr and smoothed loss per step), the suggestion (NaN when the loss never fell) and why it stopped. */
    public record Result(double[] lrs, double[] losses, double suggested, String stopReason) {}

    /** One training step at a given learning rate; returns the batch loss. */
    public interface Stepper {
        double step(double lr);
    }

    private LrFinder() {}

    public static Result run(Stepper stepper, double start, double end, int steps) {
        if (!(start > 0) || !(end > start)) throw new IllegalArgumentException("the lr range needs 0 < start < end, got " + start + ", " + end);
        if (steps < 10) throw new IllegalArgumentException("the lr range test needs at least 10 steps, got " + steps);
        double[] lrs = new double[steps];
        double[] losses = new double[steps];
        double avg = 0;
        double min = Double.POSITIVE_INFINITY;
        int n = 0;
        String reason = "reached the end of the range";
        for (int i = 0; i < steps; i++) {
            // lr_i = start·(end/start)^(i/(steps − 1))
            double lr = start * Math.pow(end / start, (double) i / (steps - 1));
            double loss;
            try {
                loss = stepper.step(lr);
            } catch (ArithmeticException nonFinite) {
                reason = "the loss became non-finite at lr " + String.format(java.util.Locale.ROOT, "%.3g", lr);
                break;
            }
            // bias-corrected exponential moving average
            avg = BETA * avg + (1 - BETA) * loss;
            double smooth = avg / (1 - Math.pow(BETA, i + 1));
            lrs[n] = lr;
            losses[n] = smooth;
            n++;
            if (!Double.isFinite(smooth)) {
                reason = "the loss became non-finite at lr " + String.format(java.util.Locale.ROOT, "%.3g", lr);
                break;
            }
            if (i > 10 && smooth > DIVERGENCE * min) {
                reason = "the loss diverged (over " + (int) DIVERGENCE + "× its minimum) at lr " + String.format(java.util.Locale.ROOT, "%.3g", lr);
                break;
            }
            min = Math.min(min, smooth);
        }
        double[] l = Arrays.copyOf(lrs, n);
        double[] s = Arrays.copyOf(losses, n);
        return new Result(l, s, suggest(l, s), reason);
    }

    /** The steepest sustained descent of {@code losses} against ln lr, before the minimum; NaN if the loss never falls. */
    public static double suggest(double[] lrs, double[] losses) {
        int n = losses.length;
        if (n < 3) return Double.NaN;
        int iMin = 0;
        for (int i = 1; i < n; i++) if (losses[i] < losses[iMin]) iMin = i;
        int w = Math.max(3, n / 10);
        double steepest = 0;
        int best = -1;
        for (int i = 0; i + w <= iMin; i++) {
            double slope = slope(lrs, losses, i, w);
            if (slope < steepest) {
                steepest = slope;
                best = i;
            }
        }
        if (best < 0) return Double.NaN;
        // the window's centre on the log axis
        return Math.exp((Math.log(lrs[best]) + Math.log(lrs[best + w])) / 2);
    }

    /**
     * The least-squares slope of the loss against ln lr over points i..i+w:
     * Σ(x − x̄)(y − ȳ)/Σ(x − x̄)². Every point of the window weighs in, so a single outlier at an
     * end moves it far less than it moves the difference of the two end points.
     */
    static double slope(double[] lrs, double[] losses, int i, int w) {
        double mx = 0, my = 0;
        for (int j = i; j <= i + w; j++) {
            mx += Math.log(lrs[j]);
            my += losses[j];
        }
        mx /= w + 1;
        my /= w + 1;
        double sxy = 0, sxx = 0;
        for (int j = i; j <= i + w; j++) {
            double dx = Math.log(lrs[j]) - mx;
            sxy += dx * (losses[j] - my);
            sxx += dx * dx;
        }
        return sxy / sxx;
    }
}
