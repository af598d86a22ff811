package app.serve;

import java.math.BigDecimal;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram: counts per upper bound (cumulative when written), a sum and a count; lock-free. */
final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double... bounds) {
        this.bounds = bounds.clone();
        counts = new LongAdder[bounds.length + 1]; // the last is +Inf
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    void observe(double v) {
        int i = 0;
        while (i < bounds.length && v > bounds[i]) i++;
        counts[i].increment();
        sum.add(v);
    }

    long count() {
        long n = 0;
        for (LongAdder c : counts) n += c.sum();
        return n;
    }

    /** The text-format lines of {@code name} with the extra {@code labels} (e.g. {@code model="digits",}, or empty). */
    void write(StringBuilder sb, String name, String labels) {
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i].sum();
            String le = i < bounds.length ? fmt(bounds[i]) : "+Inf";
            sb.append(name).append("_bucket{").append(labels).append("le=\"").append(le).append("\"} ").append(cumulative).append('\n');
        }
        String plain = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
        sb.append(name).append("_sum").append(plain).append(' ').append(fmt(sum.sum())).append('\n');
        sb.append(name).append("_count").append(plain).append(' ').append(cumulative).append('\n');
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : new BigDecimal(Double.toString(v)).toPlainString();
    }
}
