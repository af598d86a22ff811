package backprop;

import backprop.optim.Regularization;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tensor.Tensor;

/**
 * Checks the analytic gradients of a network and loss against central finite differences,
 * ∂f/∂θ ≈ (f(θ + h) − f(θ − h))/(2h), for every parameter tensor and the input, and reports the
 * largest relative error per tensor.
 *
 * <p>Where every layer implements {@link DoubleForward} and the loss {@link DoubleLoss} (all of
 * nabla's do), f is evaluated in double with h = 1e-5: the truncation error O(h²) and the rounding
 * error O(ε₆₄/h) are both ≈ 1e-10, so what is left is the float32 error of the analytic gradient.
 * Otherwise the layers without a double pass run in float inside the chain, and h = 1e-2 (the
 * rounding error ε₃₂/h ≈ 6e-6 relative to f) — the report says which.
 *
 * <p>Relative error of an entry: |a − n| / max(|a|, |n|, 1e-3·the largest |n| of all tensors), so
 * that a derivative negligible beside the network's gradient (a bias before BatchNorm, whose true
 * gradient is 0 and whose float one is rounding noise) is judged at the network's scale, not its own.
 * Running statistics (BatchNorm) are restored afterwards; parameters are left as they were.
 */
public final class GradientCheck {
    /** The result for one tensor. */
    public record TensorError(String name, int checked, int size, double maxRelativeError, double maxAbsoluteError,
                              int worstIndex, double analytic, double numeric, boolean frozen) {}

    /** The results for all tensors, printable as a table. */
    public static final class Report {
        private final List<TensorError> tensors;
        private final String header;

        Report(List<TensorError> tensors, String header) {
            this.tensors = List.copyOf(tensors);
            this.header = header;
        }

        public List<TensorError> tensors() { return tensors; }

        public TensorError tensor(String name) {
            for (TensorError t : tensors) if (t.name().equals(name)) return t;
            throw new IllegalArgumentException("no tensor '" + name + "' in the report");
        }

        /** The largest relative error over all checked tensors. */
        public double maxRelativeError() {
            double m = 0;
            for (TensorError t : tensors) if (!t.frozen()) m = Math.max(m, t.maxRelativeError());
            return m;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(header).append('\n');
            sb.append(String.format(Locale.ROOT, "  %-22s %11s %13s %13s %10s %13s %13s%n",
                    "tensor", "checked", "max rel err", "max abs err", "worst at", "analytic", "numeric"));
            for (TensorError t : tensors) {
                if (t.frozen()) {
                    sb.append(String.format(Locale.ROOT, "  %-22s %11s%n", t.name(), "frozen"));
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "  %-22s %11s %13.3e %13.3e %10d %13.6e %13.6e%n", t.name(),
                        t.checked() + "/" + t.size(), t.maxRelativeError(), t.maxAbsoluteError(), t.worstIndex(),
                        t.analytic(), t.numeric()));
            }
            sb.append(String.format(Locale.ROOT, "max relative error %.3e  (rel = |a − n| / max(|a|, |n|, 1e-3·largest |n| of all tensors))",
                    maxRelativeError()));
            return sb.toString();
        }
    }

    private final Network network;
    private final Loss loss;
    private Regularization regularization = Regularization.NONE;
    private boolean training = true;
    private int maxEntries = 1000;
    private Tensor target;

    public GradientCheck(Network network, Loss loss) {
        this.network = network;
        this.loss = loss;
    }

    /** Includes the L1/L2 penalty in f and its gradient in the analytic side. */
    public GradientCheck regularization(Regularization r) {
        this.regularization = r;
        return this;
    }

    /** Checks the training-mode pass (default) or the evaluation-mode pass. */
    public GradientCheck training(boolean training) {
        this.training = training;
        return this;
    }

    /** At most this many entries per tensor, evenly spaced (default 1000; each costs two forward passes). */
    public GradientCheck maxEntriesPerTensor(int max) {
        if (max < 1) throw new IllegalArgumentException("maxEntriesPerTensor must be >= 1, got " + max);
        this.maxEntries = max;
        return this;
    }

    /** Runs the check on one batch. */
    public Report run(Tensor x, Tensor y) {
        this.target = y;
        Map<String, Tensor> state = network.state();
        Map<String, float[]> saved = new java.util.HashMap<>();
        state.forEach((k, v) -> saved.put(k, v.copy().data()));

        // analytic side: one float forward and backward (the input gradient included)
        Tensor out = network.forward(x, training);
        loss.forward(out, y);
        network.backward(loss.backward());
        List<Layer> layers = network.layers();
        List<double[]> analytic = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Parameter> params = network.parameters();
        for (Parameter p : params) {
            double[] a = toDouble(p.gradient());
            if (regularization.appliesTo(p)) {
                float[] w = p.value().data();
                // ∂/∂w [λ₁|w| + λ₂/2·w²] = λ₁·sign(w) + λ₂·w
                for (int i = 0; i < a.length; i++) a[i] += regularization.l1() * Math.signum(w[i]) + (double) regularization.l2() * w[i];
            }
            analytic.add(a);
            names.add(p.name());
        }
        analytic.add(toDouble(network.inputGradient(0)));
        names.add("input");

        boolean allDouble = loss instanceof DoubleLoss;
        for (Layer l : layers) allDouble &= l instanceof DoubleForward;
        double h = allDouble ? 1e-5 : 1e-2;

        // numeric side: f(θ) in double (or mixed) with each entry moved by ±h
        double[][][] p64 = new double[layers.size()][][];
        for (int i = 0; i < layers.size(); i++) {
            List<Parameter> ps = layers.get(i).parameters();
            p64[i] = new double[ps.size()][];
            for (int j = 0; j < ps.size(); j++) p64[i][j] = toDouble(ps.get(j).value());
        }
        double[] x64 = toDouble(x);
        int batch = x.dim(0);
        List<Sample> samples = new ArrayList<>();
        int t = 0;
        for (int li = 0; li < layers.size(); li++) {
            List<Parameter> ps = layers.get(li).parameters();
            boolean floatLayer = !(layers.get(li) instanceof DoubleForward);
            for (int j = 0; j < ps.size(); j++, t++) {
                Parameter p = ps.get(j);
                if (p.frozen()) {
                    samples.add(new Sample(p.name(), p.size(), new int[0], null, null, true));
                    continue;
                }
                samples.add(sample(names.get(t), analytic.get(t), p64[li][j], floatLayer ? p.value().data() : null,
                        h, () -> f(p64, x64, batch)));
            }
        }
        boolean floatInput = layers.isEmpty() || !(layers.get(0) instanceof DoubleForward);
        float[] xFloat = floatInput ? x.copy().data() : null;
        samples.add(sample("input", analytic.get(t), x64, xFloat, h, () -> f(p64, x64, batch)));

        // floor of the relative error: 1e-3 of the largest derivative anywhere in the network
        double largest = 0;
        for (Sample sm : samples) {
            if (!sm.frozen()) for (double n : sm.numeric()) largest = Math.max(largest, Math.abs(n));
        }
        double floor = Math.max(1e-3 * largest, Double.MIN_NORMAL);
        List<TensorError> results = new ArrayList<>();
        for (Sample sm : samples) results.add(errors(sm, floor));

        // put the running statistics back as they were
        state.forEach((k, v) -> v.copyFrom(Tensor.of(saved.get(k), v.shape())));
        String header = String.format(Locale.ROOT, "gradient check: %s, loss %s%s, batch %d, %s, central differences in %s, h = %.0e",
                network, loss.name(), regularization.isNone() ? "" : " + " + regularization, batch,
                training ? "training mode" : "evaluation mode", allDouble ? "double" : "double where the layer allows (float elsewhere)", h);
        return new Report(results, header);
    }

    private interface Objective {
        double eval();
    }

    /** The sampled entries of one tensor: their indices, analytic and numeric derivatives. */
    private record Sample(String name, int size, int[] index, double[] analytic, double[] numeric, boolean frozen) {}

    /**
     * Moves entry i of {@code value64} (and of {@code floatValue}, for a layer that runs in float)
     * by ±h and takes the central difference.
     */
    private Sample sample(String name, double[] analytic, double[] value64, float[] floatValue, double h, Objective f) {
        int n = analytic.length;
        int count = Math.min(n, maxEntries);
        double[] numeric = new double[count], a = new double[count];
        int[] index = new int[count];
        for (int c = 0; c < count; c++) {
            int i = (int) ((long) c * n / count);
            index[c] = i;
            a[c] = analytic[i];
            double v = value64[i];
            double plus = v + h, minus = v - h;
            if (floatValue != null) {
                // a float value moves by what float can represent: divide by the actual step
                plus = (float) plus;
                minus = (float) minus;
            }
            set(value64, floatValue, i, plus);
            double fPlus = f.eval();
            set(value64, floatValue, i, minus);
            double fMinus = f.eval();
            set(value64, floatValue, i, v);
            // ∂f/∂θ ≈ (f(θ + h) − f(θ − h)) / 2h
            numeric[c] = (fPlus - fMinus) / (plus - minus);
        }
        return new Sample(name, n, index, a, numeric, false);
    }

    /** Max relative and absolute error of one tensor, relative errors floored at {@code floor}. */
    private static TensorError errors(Sample s, double floor) {
        if (s.frozen()) return new TensorError(s.name(), 0, s.size(), 0, 0, -1, 0, 0, true);
        double maxRel = 0, maxAbs = 0, worstA = 0, worstN = 0;
        int worst = -1;
        for (int c = 0; c < s.index().length; c++) {
            double a = s.analytic()[c], n = s.numeric()[c], d = Math.abs(a - n);
            // rel = |a − n| / max(|a|, |n|, floor)
            double rel = d / Math.max(Math.max(Math.abs(a), Math.abs(n)), floor);
            if (Double.isNaN(rel)) rel = Double.POSITIVE_INFINITY;
            maxAbs = Math.max(maxAbs, d);
            if (worst < 0 || rel > maxRel) {
                maxRel = rel;
                worst = s.index()[c];
                worstA = a;
                worstN = n;
            }
        }
        return new TensorError(s.name(), s.index().length, s.size(), maxRel, maxAbs, worst, worstA, worstN, false);
    }

    private static void set(double[] value64, float[] floatValue, int i, double v) {
        value64[i] = v;
        if (floatValue != null) floatValue[i] = (float) v;
    }

    /** f(θ) = E(network(x)) + penalty, in double where the layer allows. */
    private double f(double[][][] p64, double[] x64, int batch) {
        List<Layer> layers = network.layers();
        double[] a = x64;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof DoubleForward) {
                a = ((DoubleForward) l).forward64(a, batch, p64[i], training);
            } else {
                a = toDouble(l.forward(toFloat(a, batch), training));
            }
        }
        double e;
        if (loss instanceof DoubleLoss) {
            e = ((DoubleLoss) loss).forward64(a, batch, target);
        } else {
            e = loss.forward(toFloat(a, batch), target);
        }
        if (!regularization.isNone()) {
            for (int i = 0; i < layers.size(); i++) {
                List<Parameter> ps = layers.get(i).parameters();
                for (int j = 0; j < ps.size(); j++) {
                    if (!regularization.appliesTo(ps.get(j))) continue;
                    // λ₁·Σ|w| + λ₂/2·Σw²
                    for (double w : p64[i][j]) e += regularization.l1() * Math.abs(w) + 0.5 * regularization.l2() * w * w;
                }
            }
        }
        return e;
    }

    private static double[] toDouble(Tensor t) {
        Tensor c = t.contiguous() ? t : t.copy();
        double[] d = new double[c.size()];
        for (int i = 0; i < d.length; i++) d[i] = c.data()[c.offset() + i];
        return d;
    }

    private static Tensor toFloat(double[] a, int batch) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return Tensor.of(f, batch, a.length / batch);
    }
}
