package backprop.plot;

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
}
