package app.tune;

import java.util.ArrayList;
import java.util.List;

/**
 * Asynchronous successive halving (Li et al., 2018): rungs at r_min·η^k epochs (up to the
 * maximum). When a trial reaches a rung its validation loss is recorded there, and it goes on
 * only if it is in the top 1/η of the losses recorded at that rung so far — its rank (0 for the
 * lowest) times η is below their count. Nothing waits for a bracket to fill: the first trial at a
 * rung always goes on, and a trial is judged against whatever has arrived before it, so P workers
 * stay busy. (With several workers the arrival order, and so a pruning decision, can vary from
 * run to run; each trial's own numbers do not.)
 */
public final class Asha {
    private final int minEpochs;
    private final int eta;
    private final int maxEpochs;
    private final List<Integer> rungs = new ArrayList<>();
    private final List<List<Double>> recorded = new ArrayList<>();

    public Asha(int minEpochs, int eta, int maxEpochs) {
        if (minEpochs < 1) throw new IllegalArgumentException("ASHA's minimum epochs must be >= 1, got " + minEpochs);
        if (eta < 2) throw new IllegalArgumentException("ASHA's eta must be >= 2, got " + eta);
        if (maxEpochs < minEpochs) throw new IllegalArgumentException("max epochs " + maxEpochs + " is below the minimum " + minEpochs);
        this.minEpochs = minEpochs;
        this.eta = eta;
        this.maxEpochs = maxEpochs;
        // r_k = r_min·η^k below the maximum: a trial that reaches the maximum is finished, not judged
        for (long r = minEpochs; r < maxEpochs; r *= eta) {
            rungs.add((int) r);
            recorded.add(new ArrayList<>());
        }
    }

    /** The rung epochs: r_min, r_min·η, ... (each below the maximum). */
    public List<Integer> rungs() { return List.copyOf(rungs); }

    public int eta() { return eta; }
    public int minEpochs() { return minEpochs; }
    public int maxEpochs() { return maxEpochs; }

    /**
     * Records a trial's validation loss after {@code epoch} epochs; returns false when the trial
     * stops here (it reached a rung outside the top 1/η). Epochs between rungs always go on.
     */
    public synchronized boolean keepGoing(int epoch, double valLoss) {
        int k = rungs.indexOf(epoch);
        if (k < 0) return true;
        // a diverged trial (NaN) ranks below every finite loss
        double loss = Double.isNaN(valLoss) ? Double.POSITIVE_INFINITY : valLoss;
        List<Double> here = recorded.get(k);
        here.add(loss);
        int rank = 0;
        for (double other : here) if (other < loss) rank++;
        // in the top 1/η: rank·η < n
        return (long) rank * eta < here.size();
    }
}
