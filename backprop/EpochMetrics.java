package backprop;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One epoch of any training run, the one schema of {@code --metrics}, the checkpoint's history,
 * TensorBoard's scalars and the tuner's results. NaN where a figure does not apply (no validation
 * set); {@code extra} holds what a run adds (sentiment's {@code train_accuracy}), by name.
 *
 * @param epoch             1-based
 * @param steps             steps taken over the run when the epoch ended
 * @param trainLoss         the mean loss over the epoch's training examples, during the epoch
 * @param valLoss           the validation loss after the epoch
 * @param valAccuracy       the validation accuracy after the epoch
 * @param learningRate      the rate the epoch's steps used
 * @param seconds           the epoch's training time (validation excluded)
 * @param examplesPerSecond training examples per second over the epoch
 */
public record EpochMetrics(int epoch, long steps, double trainLoss, double valLoss, double valAccuracy, double learningRate,
                           double seconds, double examplesPerSecond, Map<String, Double> extra) {
    public EpochMetrics {
        extra = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(extra == null ? Map.of() : extra));
    }

    public EpochMetrics(int epoch, long steps, double trainLoss, double valLoss, double valAccuracy, double learningRate,
                        double seconds, double examplesPerSecond) {
        this(epoch, steps, trainLoss, valLoss, valAccuracy, learningRate, seconds, examplesPerSecond, Map.of());
    }

    /** The JSON object, keys in the documented order, then the extras sorted by name; NaN is written as null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("steps", steps < 0 ? null : steps);  // -1: an older record without the count
        m.put("train_loss", trainLoss);
        m.put("val_loss", valLoss);
        m.put("val_accuracy", valAccuracy);
        m.put("learning_rate", learningRate);
        m.put("seconds", seconds);
        m.put("examples_per_second", examplesPerSecond);
        m.putAll(extra);
        return m;
    }

    /** The record of a JSON object written by {@link #toJson()} (missing figures, as in older files, are NaN; missing steps -1). */
    public static EpochMetrics fromJson(Map<?, ?> m) {
        Map<String, Double> extra = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!KEYS.contains(k) && e.getValue() instanceof Number n) extra.put(k, n.doubleValue());
        }
        double steps = number(m, "steps");
        return new EpochMetrics((int) number(m, "epoch"), Double.isNaN(steps) ? -1 : (long) steps, number(m, "train_loss"),
                number(m, "val_loss"), number(m, "val_accuracy"), number(m, "learning_rate"), number(m, "seconds"),
                number(m, "examples_per_second"), extra);
    }

    private static final java.util.Set<String> KEYS = java.util.Set.of("epoch", "steps", "train_loss", "val_loss", "val_accuracy",
            "learning_rate", "seconds", "examples_per_second");

    private static double number(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** The line printed after each epoch. */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d: train loss %.4f", epoch, trainLoss));
        if (!Double.isNaN(valLoss)) sb.append(String.format(Locale.ROOT, ", val loss %.4f", valLoss));
        if (!Double.isNaN(valAccuracy)) sb.append(String.format(Locale.ROOT, ", val accuracy %.4f", valAccuracy));
        sb.append(String.format(Locale.ROOT, ", %.2f s (%.0f ex/s)", seconds, examplesPerSecond));
        return sb.toString();
    }
}
