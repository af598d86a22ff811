package app.tune;

import backprop.EpochMetrics;
import java.util.List;
import java.util.Map;

/**
 * One trial of a tune: its number, the train flags it sets and its seed (both functions of the
 * tune's seed and the number only), and, once it ran, its epochs and how it ended.
 */
public record Trial(int id, Map<String, String> flags, long seed) {
    public static final String FINISHED = "finished";
    public static final String PRUNED = "pruned";
    public static final String FAILED = "failed";
    /** Waiting at an ASHA rung for a promotion: a state in memory and in the live table, never an end line. */
    public static final String PAUSED = "paused";

    /** A trial that ran: state finished, pruned or failed (with the reason), or paused at a rung. */
    public record Outcome(Trial trial, String state, List<EpochMetrics> epochs, String reason) {
        /** The validation loss of the last epoch (NaN when none ran). */
        public double valLoss() {
            return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).valLoss();
        }

        public double valAccuracy() {
            return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).valAccuracy();
        }
    }
}
