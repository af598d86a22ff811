package app.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Asynchronous successive halving, as promotions (Li et al., 2018, "A System for Massively
 * Parallel Hyperparameter Tuning", Algorithm 2). Rungs are at r_min·η^k epochs below the maximum
 * R. A trial trains from one rung to the next (a job) and pauses there with its validation loss
 * recorded. A free worker asks {@link #promotion()}: from the highest rung down, the best trial
 * among the top ⌊n/η⌋ of the n losses recorded at a rung that has not gone on from it yet is
 * promoted, and trains on to the next rung (from the highest, to R). When no rung has one, the
 * worker starts a new trial. Losses rank lowest first, equal losses by trial number; a diverged
 * trial ranks last at the rung it did not reach. A trial that ended (pruned, diverged) is never
 * promoted.
 *
 * <p>The rule looks only at the set of losses recorded, not at the order they came in; which
 * losses have come in when a worker asks is what the order of the jobs decides.
 */
public final class Asha {
    /** Trial {@code trial} goes on from rung {@code fromEpoch} to {@code toEpoch} (the next rung, or the maximum). */
    public record Promotion(int trial, int fromEpoch, int toEpoch) {}

    private final int minEpochs;
    private final int eta;
    private final int maxEpochs;
    private final int trials;
    private final List<Integer> rungs = new ArrayList<>();
    private final List<TreeMap<Integer, Double>> recorded = new ArrayList<>();  // per rung: trial → loss
    private final List<Set<Integer>> promoted = new ArrayList<>();               // per rung: trials gone on from it
    private final Set<Integer> ended = new HashSet<>();  // pruned or diverged: never promoted

    /** @param trials the most trials the tune starts: no rung ever holds more losses than that */
    public Asha(int minEpochs, int eta, int maxEpochs, int trials) {
        if (minEpochs < 1) throw new IllegalArgumentException("ASHA's minimum epochs must be >= 1, got " + minEpochs);
        if (eta < 2) throw new IllegalArgumentException("ASHA's eta must be >= 2, got " + eta);
        if (maxEpochs < minEpochs) throw new IllegalArgumentException("max epochs " + maxEpochs + " is below the minimum " + minEpochs);
        if (trials < 1) throw new IllegalArgumentException("ASHA needs at least one trial, got " + trials);
        this.minEpochs = minEpochs;
        this.eta = eta;
        this.maxEpochs = maxEpochs;
        this.trials = trials;
        // r_k = r_min·η^k below the maximum: a trial that reaches the maximum is finished, not judged
        for (long r = minEpochs; r < maxEpochs; r *= eta) {
            rungs.add((int) r);
            recorded.add(new TreeMap<>());
            promoted.add(new HashSet<>());
        }
    }

    /** The rung epochs: r_min, r_min·η, ... (each below the maximum). */
    public List<Integer> rungs() { return List.copyOf(rungs); }

    public int eta() { return eta; }
    public int minEpochs() { return minEpochs; }
    public int maxEpochs() { return maxEpochs; }

    /** Where a job that starts after {@code epoch} epochs stops: the first rung above it, else the maximum. */
    public int nextStop(int epoch) {
        for (int r : rungs) if (r > epoch) return r;
        return maxEpochs;
    }

    /** Records trial {@code trial}'s validation loss at rung {@code epoch}, where it pauses. */
    public synchronized void record(int trial, int epoch, double valLoss) {
        recorded.get(rung(epoch)).put(trial, Double.isNaN(valLoss) ? Double.POSITIVE_INFINITY : valLoss);
    }

    /** A trial that diverged on its way to rung {@code epoch}: it takes its place there, last, and never goes on. */
    public synchronized void recordFailure(int trial, int epoch) {
        ended.add(trial);
        record(trial, epoch, Double.POSITIVE_INFINITY);
    }

    /** A trial that ended where it stands (pruned): its losses keep their places, and it is never promoted. */
    public synchronized void end(int trial) {
        ended.add(trial);
    }

    /** Marks trial {@code trial} as gone on from rung {@code epoch} (a continued tune restores its promotions so). */
    public synchronized void markPromoted(int trial, int epoch) {
        promoted.get(rung(epoch)).add(trial);
    }

    /** The next promotion, marked as made; null when no rung has a trial to promote (start a new one, or wait). */
    public synchronized Promotion promotion() {
        for (int k = rungs.size() - 1; k >= 0; k--) {
            List<Integer> order = ranked(k);
            for (int i = 0; i < order.size() / eta; i++) {
                int t = order.get(i);
                if (promoted.get(k).contains(t) || ended.contains(t)) continue;
                promoted.get(k).add(t);
                return new Promotion(t, rungs.get(k), k + 1 < rungs.size() ? rungs.get(k + 1) : maxEpochs);
            }
        }
        return null;
    }

    /**
     * True when trial {@code trial}, paused at rung {@code epoch}, can never be promoted: at least
     * ⌊trials/η⌋ losses there rank above it, and no rung ever holds more than {@code trials}.
     */
    public synchronized boolean hopeless(int trial, int epoch) {
        int k = rung(epoch);
        Double mine = recorded.get(k).get(trial);
        if (mine == null) throw new IllegalArgumentException("trial " + trial + " has no loss at rung " + epoch);
        int above = 0;
        for (var e : recorded.get(k).entrySet()) if (before(e.getValue(), e.getKey(), mine, trial)) above++;
        return above >= trials / eta;
    }

    /** The trials recorded at rung k, best first. */
    private List<Integer> ranked(int k) {
        TreeMap<Integer, Double> losses = recorded.get(k);
        List<Integer> order = new ArrayList<>(losses.keySet());
        order.sort(Comparator.comparingDouble((Integer t) -> losses.get(t)).thenComparingInt(t -> t));
        return order;
    }

    private static boolean before(double lossA, int a, double lossB, int b) {
        int c = Double.compare(lossA, lossB);
        return c < 0 || c == 0 && a < b;
    }

    private int rung(int epoch) {
        int k = rungs.indexOf(epoch);
        if (k < 0) throw new IllegalArgumentException("epoch " + epoch + " is not a rung " + rungs);
        return k;
    }
}
