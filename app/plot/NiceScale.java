package app.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten), after P. Heckbert, "Nice numbers
 * for graph labels", Graphics Gems (1990); and decade ticks for a log axis.
 */
public final class NiceScale {
    private NiceScale() {}

    /** Ticks from {@code min} to {@code max} (both nice, covering the data) every {@code step}. */
    public record Ticks(double min, double max, double step, double[] values) {}

    /** A nice number near {@code x}: rounded to the nearest when {@code round}, else the next one up. */
    public static double niceNum(double x, boolean round) {
        double exp = Math.floor(Math.log10(x));
        double f = x / Math.pow(10, exp); // 1 <= f < 10
        double nf;
        if (round) nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        else nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nf * Math.pow(10, exp);
    }

    /** About {@code maxTicks} nice ticks covering [lo, hi]. */
    public static Ticks linear(double lo, double hi, int maxTicks) {
        if (!(hi > lo)) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        // Heckbert rounds the range to a nice number first; dividing the raw range instead lands
        // closer to maxTicks (0.03..2.71 in 6 ticks: step 0.5, not 1).
        double step = niceNum((hi - lo) / Math.max(1, maxTicks - 1), true);
        double min = Math.floor(lo / step) * step;
        double max = Math.ceil(hi / step) * step;
        int n = (int) Math.round((max - min) / step) + 1;
        double[] v = new double[n];
        // min + i·step, rounded to the step's decimals so 0.1 + 0.2 prints as 0.3
        for (int i = 0; i < n; i++) v[i] = clean(min + i * step, step);
        return new Ticks(min, max, step, v);
    }

    /**
     * Ticks for a log axis over [lo, hi] (lo > 0): every power of ten within; with three decades or
     * fewer also 2× and 5×. The range returned is widened to whole decades.
     */
    public static Ticks log(double lo, double hi) {
        double dMin = Math.floor(Math.log10(lo));
        double dMax = Math.ceil(Math.log10(hi));
        if (dMax == dMin) dMax++;
        boolean fine = dMax - dMin <= 3;
        List<Double> ticks = new ArrayList<>();
        for (int d = (int) dMin; d <= dMax; d++) {
            double p = Math.pow(10, d);
            ticks.add(p);
            if (fine && d < dMax) {
                ticks.add(2 * p);
                ticks.add(5 * p);
            }
        }
        double[] v = ticks.stream().mapToDouble(Double::doubleValue).toArray();
        return new Ticks(Math.pow(10, dMin), Math.pow(10, dMax), 10, v);
    }

    private static double clean(double v, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step)) + 1);
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    /** A tick label: as many decimals as the step needs; scientific for tiny or huge values. */
    public static String label(double v, double step) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return scientific(v);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** 1e-3, 2e-4, 1.5e-2: the shortest mantissa. */
    public static String scientific(double v) {
        int exp = (int) Math.floor(Math.log10(Math.abs(v)));
        double m = v / Math.pow(10, exp);
        if (Math.abs(m - Math.round(m)) < 1e-9) return String.format(Locale.ROOT, "%de%d", Math.round(m), exp);
        String s = String.format(Locale.ROOT, "%.2f", m).replaceAll("0+$", "");
        return s + "e" + exp;
    }
}
