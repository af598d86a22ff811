package app.metrics;

import java.util.List;
import java.util.Locale;
import tensor.Tensor;

/** Counts of (true class, predicted class) pairs, with per-class recall and precision and a text rendering. */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;

    public ConfusionMatrix(int classes) {
        if (classes < 1) throw new IllegalArgumentException("a confusion matrix needs at least one class, got " + classes);
        // classes² counts in one array: 46,340² is the last square below Integer.MAX_VALUE
        if ((long) classes * classes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a confusion matrix of " + classes + " classes needs " + (long) classes * classes
                    + " counts, more than one Java array holds");
        }
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    public int classes() { return classes; }

    /** Counts one example. */
    public void add(int truth, int predicted) {
        if (truth < 0 || truth >= classes || predicted < 0 || predicted >= classes) {
            throw new IllegalArgumentException("class pair (" + truth + ", " + predicted + ") is outside [0, " + classes + ")");
        }
        counts[truth * classes + predicted]++;
    }

    /** Counts every (labels[i], predicted[i]). */
    public void add(int[] labels, int[] predicted) {
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predicted.length + " predictions");
        }
        for (int i = 0; i < labels.length; i++) add(labels[i], predicted[i]);
    }

    /** Counts every row of {@code scores} [n, classes] against its label, predicting the argmax. */
    public void add(Tensor scores, int[] labels) {
        add(labels, Metrics.argmax(scores, new int[labels.length]));
    }

    /** Examples of class {@code truth} predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return counts[truth * classes + predicted];
    }

    public long total() {
        long t = 0;
        for (long c : counts) t += c;
        return t;
    }

    public long correct() {
        long t = 0;
        for (int c = 0; c < classes; c++) t += count(c, c);
        return t;
    }

    public double accuracy() {
        return (double) correct() / total();
    }

    /** Of the examples of class c, the fraction predicted as c (NaN if there are none). */
    public double recall(int c) {
        long row = 0;
        for (int p = 0; p < classes; p++) row += count(c, p);
        return (double) count(c, c) / row;
    }

    /** Of the examples predicted as c, the fraction that are c (NaN if there are none). */
    public double precision(int c) {
        long col = 0;
        for (int t = 0; t < classes; t++) col += count(t, c);
        return (double) count(c, c) / col;
    }

    /** A table: one row per true class (its name), one column per predicted class (its index), recall at the right. */
    public String render(List<String> names) {
        if (names != null && names.size() != classes) throw new IllegalArgumentException(names.size() + " names for " + classes + " classes");
        long max = 0;
        for (long c : counts) max = Math.max(max, c);
        int cell = Math.max(Long.toString(max).length(), Integer.toString(classes - 1).length()) + 1;
        cell = Math.max(cell, 5); // " 100%": a precision column keeps a space before it
        int label = "true \\ predicted".length();
        for (int c = 0; c < classes; c++) label = Math.max(label, rowLabel(names, c).length());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + label + "s", "true \\ predicted"));
        for (int p = 0; p < classes; p++) sb.append(String.format(Locale.ROOT, "%" + cell + "d", p));
        sb.append("  recall\n");
        for (int t = 0; t < classes; t++) {
            sb.append(String.format(Locale.ROOT, "%-" + label + "s", rowLabel(names, t)));
            for (int p = 0; p < classes; p++) sb.append(String.format(Locale.ROOT, "%" + cell + "d", count(t, p)));
            sb.append(String.format(Locale.ROOT, "  %s%n", fraction(recall(t))));
        }
        sb.append(String.format(Locale.ROOT, "%-" + label + "s", "precision"));
        for (int p = 0; p < classes; p++) {
            double pr = precision(p);
            String s = Double.isNaN(pr) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * pr);
            sb.append(String.format(Locale.ROOT, "%" + cell + "s", s));
        }
        sb.append(String.format(Locale.ROOT, "%naccuracy %s (%d of %d)%n", fraction(accuracy()), correct(), total()));
        return sb.toString();
    }

    private static String rowLabel(List<String> names, int c) {
        if (names == null || names.get(c).equals(Integer.toString(c))) return Integer.toString(c);
        String n = names.get(c);
        return c + " " + (n.length() > 14 ? n.substring(0, 13) + "…" : n);
    }

    private static String fraction(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    @Override
    public String toString() {
        return render(null);
    }
}
