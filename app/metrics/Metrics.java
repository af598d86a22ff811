package app.metrics;

import java.util.Arrays;
import java.util.Comparator;
import tensor.Tensor;

/**
 * Classification metrics over a score matrix [n, classes] (logits or probabilities: only the
 * order within a row matters) and integer labels. Ties between scores go to the lower class
 * index, as {@link #argmax} does, so top-1 accuracy equals accuracy.
 */
public final class Metrics {
    private Metrics() {}

    /** The highest-scoring class of each row into {@code out} (first one on ties; NaN never wins unless all are NaN). */
    public static int[] argmax(Tensor scores, int[] out) {
        checkScores(scores, out.length, "argmax");
        int k = scores.dim(1);
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            float bestScore = scores.get(i, 0);
            for (int c = 1; c < k; c++) {
                float s = scores.get(i, c);
                if (s > bestScore || (Float.isNaN(bestScore) && !Float.isNaN(s))) {
                    best = c;
                    bestScore = s;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** The fraction of predictions equal to the labels. */
    public static double accuracy(int[] predicted, int[] labels) {
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException("accuracy: " + predicted.length + " predictions but " + labels.length + " labels");
        }
        if (labels.length == 0) return Double.NaN;
        int correct = 0;
        for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) correct++;
        return (double) correct / labels.length;
    }

    /** The fraction of rows whose highest score is at the label. */
    public static double accuracy(Tensor scores, int[] labels) {
        return topKAccuracy(scores, labels, 1);
    }

    /**
     * The fraction of rows whose label is among the k best classes: its rank (classes scoring
     * higher, or equal with a lower index) is below k. A NaN score at the label is a miss.
     */
    public static double topKAccuracy(Tensor scores, int[] labels, int k) {
        checkScores(scores, labels.length, "top-k accuracy");
        if (k < 1) throw new IllegalArgumentException("top-k accuracy needs k >= 1, got " + k);
        if (labels.length == 0) return Double.NaN;
        int hits = 0;
        for (int i = 0; i < labels.length; i++) if (rank(scores, i, labels[i]) < k) hits++;
        return (double) hits / labels.length;
    }

    /** The rank of class {@code label} in row {@code i}: 0 for the best; Integer.MAX_VALUE for a NaN score. */
    public static int rank(Tensor scores, int i, int label) {
        int k = scores.dim(1);
        if (label < 0 || label >= k) throw new IllegalArgumentException("label " + label + " of row " + i + " is outside [0, " + k + ")");
        float s = scores.get(i, label);
        if (Float.isNaN(s)) return Integer.MAX_VALUE;
        int rank = 0;
        for (int c = 0; c < k; c++) {
            float o = scores.get(i, c);
            if (o > s || (o == s && c < label)) rank++;
        }
        return rank;
    }

    /** The {@code k} best classes of row {@code i}, best first (ties: lower index first). */
    public static int[] topClasses(Tensor scores, int i, int k) {
        int classes = scores.dim(1);
        Integer[] idx = new Integer[classes];
        for (int c = 0; c < classes; c++) idx[c] = c;
        Arrays.sort(idx, Comparator.comparingDouble((Integer c) -> {
            float v = scores.get(i, c);
            return Float.isNaN(v) ? Double.POSITIVE_INFINITY : -v;
        }).thenComparingInt(c -> c));
        int[] out = new int[Math.min(k, classes)];
        for (int j = 0; j < out.length; j++) out[j] = idx[j];
        return out;
    }

    /**
     * The indexes of the {@code n} highest per-example losses, highest first (ties: lower index
     * first). NaN losses come first of all: a diverged example is the first to look at.
     */
    public static int[] topLosses(float[] losses, int n) {
        if (n < 0) throw new IllegalArgumentException("top losses needs n >= 0, got " + n);
        Integer[] idx = new Integer[losses.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> {
            float v = losses[i];
            return Float.isNaN(v) ? Double.NEGATIVE_INFINITY : -v;
        }).thenComparingInt(i -> i));
        int[] out = new int[Math.min(n, losses.length)];
        for (int j = 0; j < out.length; j++) out[j] = idx[j];
        return out;
    }

    private static void checkScores(Tensor scores, int rows, String what) {
        if (scores.rank() != 2 || scores.dim(0) != rows || scores.dim(1) < 1) {
            throw new IllegalArgumentException(what + ": scores must be [" + rows + ", classes], got shape " + Arrays.toString(scores.shape()));
        }
    }
}
