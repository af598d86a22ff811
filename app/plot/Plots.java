package app.plot;

import java.io.IOException;
import java.nio.file.Path;

/** The charts the {@code nabla} commands draw. */
public final class Plots {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private Plots() {}

    /** Train (and validation, if not null) loss per epoch, epochs numbered from 1. */
    public static LineChart lossCurves(double[] trainLoss, double[] valLoss) {
        double[] epochs = new double[trainLoss.length];
        for (int i = 0; i < epochs.length; i++) epochs[i] = i + 1;
        LineChart c = new LineChart("loss per epoch", "epoch", "loss").series("train", epochs, trainLoss);
        if (valLoss != null) {
            double[] vEpochs = new double[valLoss.length];
            for (int i = 0; i < vEpochs.length; i++) vEpochs[i] = i + 1;
            c.series("validation", vEpochs, valLoss);
        }
        return c;
    }

    public static void lossCurves(Path png, double[] trainLoss, double[] valLoss) throws IOException {
        lossCurves(trainLoss, valLoss).write(png, WIDTH, HEIGHT);
    }

    /**
     * The learning-rate range test: loss against lr on a log axis, a marker at the suggested lr.
     * The y axis stops at 4× the first loss so the divergence at the end does not flatten the
     * curve where it matters.
     */
    public static LineChart lrFinder(double[] lrs, double[] losses, double suggestedLr) {
        LineChart c = new LineChart("learning-rate range test", "learning rate (log scale)", "loss")
                .logX(true).series("loss", lrs, losses);
        double first = Double.NaN;
        double min = Double.POSITIVE_INFINITY;
        for (double l : losses) {
            if (!Double.isFinite(l)) continue;
            if (Double.isNaN(first)) first = l;
            min = Math.min(min, l);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double l : losses) if (Double.isFinite(l)) max = Math.max(max, l);
        if (Double.isFinite(first) && max > 4 * first && 4 * first > min) {
            c.yRange(Math.max(0, min - 0.05 * (4 * first - min)), 4 * first);
        }
        if (Double.isFinite(suggestedLr) && suggestedLr > 0) c.marker(suggestedLr, "suggested lr " + NiceScale.scientific(suggestedLr));
        return c;
    }

    public static void lrFinder(Path png, double[] lrs, double[] losses, double suggestedLr) throws IOException {
        lrFinder(lrs, losses, suggestedLr).write(png, WIDTH, HEIGHT);
    }

    /**
     * A tune's validation loss per epoch, one line per trial, on a log axis: finished trials in blue, pruned or
     * failed ones in grey ending in an × where they stopped, the best trial in orange on top.
     */
    public static LineChart tuneCurves(java.util.List<double[]> valLoss, boolean[] pruned, int best, String bestLabel) {
        LineChart c = new LineChart("validation loss per epoch, one line per trial", "epoch", "validation loss (log scale)").logY(true);
        java.awt.Color finished = new java.awt.Color(0x1f77b4), cut = new java.awt.Color(0x9a9a9a), top = new java.awt.Color(0xff7f0e);
        int longest = 1;
        for (int pass = 0; pass < 2; pass++) {  // pruned first, so the finished lines are drawn over them
            for (int t = 0; t < valLoss.size(); t++) {
                double[] v = valLoss.get(t);
                longest = Math.max(longest, v.length);
                if (t == best || pruned[t] != (pass == 0)) continue;
                c.series(pruned[t] ? "pruned (× where cut)" : "finished", epochs(v.length), v, pruned[t] ? cut : finished, pruned[t]);
            }
        }
        if (best >= 0) c.series(bestLabel, epochs(valLoss.get(best).length), valLoss.get(best), top, false);
        clipOutliers(c, valLoss, pruned);
        // half an epoch of room on each side, so a trial cut at epoch 1 shows its × off the axis
        return c.xRange(0.5, longest + 0.5);
    }

    /**
     * Stops the lines at 3× the median first-epoch loss, or higher where a finished trial goes after its first epoch,
     * when a few diverging trials would squash the rest into a band; leaves room above them for the legend.
     */
    private static void clipOutliers(LineChart c, java.util.List<double[]> valLoss, boolean[] pruned) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double[] v : valLoss) {
            for (double x : v) {
                if (!(x > 0) || !Double.isFinite(x)) continue;
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        double[] firsts = valLoss.stream().filter(v -> v.length > 0 && v[0] > 0 && Double.isFinite(v[0])).mapToDouble(v -> v[0]).sorted().toArray();
        if (firsts.length == 0) return;
        // 3× the median first-epoch loss
        double cap = 3 * firsts[firsts.length / 2];
        for (int t = 0; t < valLoss.size(); t++) {
            if (pruned[t]) continue;
            double[] v = valLoss.get(t);
            for (int e = 1; e < v.length; e++) if (Double.isFinite(v[e])) cap = Math.max(cap, v[e]);
        }
        if (!(Math.min(hi, cap) > lo)) return;
        // ×2.5 of room above the highest line kept, for the legend
        double topY = 2.5 * Math.min(hi, cap);
        c.yRange(lo / 1.15, topY);
        if (hi > topY) c.title(c.title() + String.format(java.util.Locale.ROOT, " (losses above %.3g are off the chart)", topY));
    }

    private static double[] epochs(int n) {
        double[] e = new double[n];
        for (int i = 0; i < n; i++) e[i] = i + 1;
        return e;
    }
}
