package cuda;

import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.Parameter;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import java.util.IdentityHashMap;
import java.util.Map;
import tensor.Tensor;

/**
 * The part of {@link StepAgreement}'s tolerance that a gradient's own cancellation needs. A parameter's gradient is
 * a sum over the batch (∂E/∂W_jk = Σ_r g_rj·x_rk, ∂E/∂b_j = Σ_r g_rj, ∂E/∂γ_j = Σ_r g_rj·x̂_rj, ∂E/∂β_j = Σ_r g_rj,
 * g = ∂E/∂ of the layer's output), whose rounding error is at most ρ times the sum of its terms' absolute values,
 * T = Σ_r |term|, not ρ times the sum itself. Usually the two are alike and the tolerance relative to the
 * parameter's change covers it; before a batch norm they are not: batch norm's ∂E/∂x has a zero mean over the
 * batch, so the bias of the Dense before it has a gradient of exactly 0 in exact arithmetic, and both sides
 * compute rounding noise of size ρ·T. The update carries that error as it carries the gradient:
 * <pre>
 *   a_v ← μ·a_v + T,   a_w ← a_w + lr·a_v      (|Δv| ≤ ρ·a_v, |Δw| ≤ ρ·a_w)
 * </pre>
 * with T measured on the CPU side after each step (the largest over the parameter's elements); the comparison adds
 * 2ρ·a_v to a velocity's tolerance and 2ρ·a_w to a value's (the 2 for the two sides).
 */
final class CancellationBound {
    private final Map<Parameter, double[]> bounds = new IdentityHashMap<>();  // {a_v, a_w}

    /** After a CPU step on x with the learning rate and momentum it used: T of each unfrozen parameter, carried on. */
    void afterStep(Network net, Loss loss, Tensor x, float lr, float mu) {
        for (int i = 0; i < net.layers().size(); i++) {
            Layer l = net.layers().get(i);
            if (l.parameters().isEmpty()) continue;
            Tensor g = i + 1 < net.layers().size() ? net.inputGradient(i + 1) : loss.backward();
            if (g == null) continue;  // before the first trainable layer: no gradient, nothing updated
            Tensor in = i == 0 ? x : net.output(i - 1);
            if (l instanceof Dense d) {
                carry(d.weight(), weightTerms(g, in), lr, mu);
                if (d.bias() != null) carry(d.bias(), columnTerms(g, null), lr, mu);
            } else if (l instanceof BatchNorm b) {
                carry(b.gamma(), columnTerms(g, normalized(in, b)), lr, mu);
                carry(b.beta(), columnTerms(g, null), lr, mu);
            }
        }
    }

    /** ρ·a_v of p (0 before any step). */
    double velocity(Parameter p, double rho) {
        double[] a = bounds.get(p);
        return a == null ? 0 : rho * a[0];
    }

    /** ρ·a_w of p. */
    double value(Parameter p, double rho) {
        double[] a = bounds.get(p);
        return a == null ? 0 : rho * a[1];
    }

    private void carry(Parameter p, double t, float lr, float mu) {
        if (p.frozen()) return;
        double[] a = bounds.computeIfAbsent(p, k -> new double[2]);
        a[0] = mu * a[0] + t;
        a[1] += lr * a[0];
    }

    /** max_{j,k} Σ_r |g_rj·x_rk|. */
    private static double weightTerms(Tensor g, Tensor x) {
        int rows = g.dim(0), out = g.dim(1), in = x.dim(1);
        double max = 0;
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < in; k++) {
                double sum = 0;
                for (int r = 0; r < rows; r++) sum += Math.abs((double) at(g, r, j) * at(x, r, k));
                max = Math.max(max, sum);
            }
        }
        return max;
    }

    /** max_j Σ_r |g_rj·w_rj| (w = 1 when null). */
    private static double columnTerms(Tensor g, double[] w) {
        int rows = g.dim(0), cols = g.dim(1);
        double max = 0;
        for (int j = 0; j < cols; j++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += Math.abs(at(g, r, j) * (w == null ? 1 : w[r * cols + j]));
            max = Math.max(max, sum);
        }
        return max;
    }

    /** x̂ of the batch x through b in training (the batch's mean and biased variance), in double. */
    private static double[] normalized(Tensor x, BatchNorm b) {
        int rows = x.dim(0), f = x.dim(1);
        double[] xHat = new double[rows * f];
        for (int j = 0; j < f; j++) {
            double mean = 0, var = 0;
            for (int r = 0; r < rows; r++) mean += at(x, r, j);
            mean /= rows;
            for (int r = 0; r < rows; r++) var += Math.pow(at(x, r, j) - mean, 2);
            double inv = 1 / Math.sqrt(var / rows + b.eps());
            for (int r = 0; r < rows; r++) xHat[r * f + j] = (at(x, r, j) - mean) * inv;
        }
        return xHat;
    }

    private static float at(Tensor t, int r, int c) {
        return t.data()[t.offset() + r * t.dim(1) + c];
    }
}
