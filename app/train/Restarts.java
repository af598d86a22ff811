package app.train;

import backprop.EpochMetrics;
import data.Dataset;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Random restarts: the same run from K seeds (seed, seed+1, ..., seed+K−1), each trained for a
 * short budget of epochs; the one with the lowest validation loss is kept to be continued. A
 * restart that diverges counts as an infinite loss. The kept run's config carries its seed, so
 * {@code ./nabla train --seed S} without restarts reproduces it.
 */
public final class Restarts {
    /** One restart: its seed and its validation loss after the budget. */
    public record Trial(long seed, double valLoss, double valAccuracy) {}

    /** The kept run (trained for the budget) and every restart in seed order. */
    public record Result(Training best, List<Trial> trials) {
        /** min, median and max of the validation losses. */
        public double[] spread() {
            double[] v = trials.stream().mapToDouble(Trial::valLoss).sorted().toArray();
            // the median of an even count is the mean of the middle two
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new double[] {v[0], median, v[v.length - 1]};
        }
    }

    private Restarts() {}

    /** Trains {@code k} seeds for {@code budget} epochs each, printing a line per restart; returns the lowest validation loss. */
    public static Result run(TrainConfig config, Dataset.Split data, int k, int budget, PrintStream out) {
        if (k < 1) throw new IllegalArgumentException("restarts must be >= 1, got " + k);
        if (budget < 1 || budget >= config.epochs()) {
            throw new IllegalArgumentException("restart epochs must be in 1.." + (config.epochs() - 1) + " (below --epochs " + config.epochs()
                    + ", so the kept run has epochs left to continue), got " + budget);
        }
        List<Trial> trials = new ArrayList<>();
        Training best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            long seed = config.seed() + i;
            Training t = Training.start(config.withSeed(seed), data);
            double loss = Double.POSITIVE_INFINITY, accuracy = Double.NaN;
            try {
                for (int e = 0; e < budget && !t.finished(); e++) {
                    EpochMetrics r = t.trainEpoch();
                    loss = r.valLoss();
                    accuracy = r.valAccuracy();
                }
            } catch (ArithmeticException diverged) {
                loss = Double.POSITIVE_INFINITY;
            }
            if (Double.isNaN(loss)) loss = Double.POSITIVE_INFINITY;
            trials.add(new Trial(seed, loss, accuracy));
            out.printf(Locale.ROOT, "restart %d/%d: seed %d, %d epoch%s: val loss %.4f, val accuracy %.4f%n", i + 1, k, seed, budget,
                    budget == 1 ? "" : "s", loss, accuracy);
            // strictly lower: the first of equal losses is kept
            if (best == null || loss < bestLoss) {
                best = t;
                bestLoss = loss;
            }
        }
        if (Double.isInfinite(bestLoss)) {
            throw new ArithmeticException("every restart diverged (seeds " + config.seed() + ".." + (config.seed() + k - 1)
                    + "); try a lower --lr");
        }
        return new Result(best, trials);
    }

    /** "restarts: val loss min 0.1200 (seed 44), median 0.1500, max 0.3000; continuing seed 44 from epoch 1". */
    public static String summary(Result r) {
        double[] s = r.spread();
        long seed = r.best().config().seed();
        return String.format(Locale.ROOT, "restarts: val loss min %.4f (seed %d), median %.4f, max %.4f over %d seeds; continuing seed %d "
                + "from epoch %d", s[0], seed, s[1], s[2], r.trials().size(), seed, r.best().epoch());
    }

    /** The seeds in order of their validation loss, lowest first (for tests and reports). */
    public static long[] ranking(Result r) {
        return r.trials().stream().sorted((a, b) -> Double.compare(a.valLoss(), b.valLoss())).mapToLong(Trial::seed).toArray();
    }
}
