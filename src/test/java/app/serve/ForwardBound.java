package app.serve;

import app.train.ModelSpec;
import backprop.Layer;
import backprop.Network;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Softmax;
import backprop.layers.Tanh;

/**
 * How far a served answer computed on the GPU may lie from the CPU's, for one input row: both sides evaluate the
 * same network in float32 with other roundings (the products summed in another order, the bias added after the
 * product instead of inside it, CUDA's expf/tanhf and the CPU's kernels.Activations each within a few ulp of the exact
 * value, softmax reduced in a tree), so each
 * layer adds a few units of roundoff u = 2⁻²⁴ of the absolute values it sums, and passes on the difference it was
 * given times its Lipschitz constant. Walking the layers with v the row's values (computed here in double from the
 * float parameters: a stand-in for both sides' values, which differ from it by far less than the terms below) and e
 * a bound on |GPU − CPU| (0 at the input, which both normalize alike):
 * <pre>
 * Dense      v' = W·v + b        e' = |W|·e + γ·(2·(|W|·|v| + |b|) + |W|·e),   γ = (in + 2)·u: each side's sum of in
 *                                     products and the bias is within (in + 1)·u of its exact value (Higham §3.1, in
 *                                     any order), one more u of margin; the exact values of the two sides' own inputs
 *                                     differ by |W|·e
 * ReLU       max(v, 0)           e' = e                          (1-Lipschitz, exact)
 * LeakyReLU  v or slope·v        e' = e + 2u·|v'|                (slope ≤ 1; one rounding a side)
 * Tanh       tanh v              e' = e + 14u·|v'|               (1-Lipschitz; 9u + 4u, see below)
 * Sigmoid    σ(v)                e' = e/4 + 20u·|v'|             (σ' ≤ 1/4; 9u + 6u, see below)
 * BatchNorm  γ(v − μ)·s + β      e' = |γ|·s·e + 12u·(|γ(v − μ)s| + |β|),  s = 1/√(running var + eps): four roundings
 *            (evaluation form)        a side, and s itself may differ in its last bit
 * Dropout    v (evaluation)      e' = e
 * Softmax    p = softmax(v)      e'_c = p_c·(e_c + max e) + 2(cols + 8)u·p_c   (|∂p_c| ≤ p_c(|∂v_c| + Σ p_j|∂v_j|);
 *                                     the sum of cols exponentials, expf, the reciprocal and the product a side)
 * LogSoftmax v − max − lse       e'_c = e_c + max e + 2u·(cols + 4 + |v_c − max| + 2|lse|)  (as the emulation's bound)
 * </pre>
 * An ulp of y is at most 2u·|y|. The CPU's tanh and sigmoid (kernels.Activations) are held only to 4 ulp of the
 * once-rounded double reference (ActivationsTest: Cephes' expf is within ~2 ulp, sigmoid's add and division and
 * tanh's branches make the tested figure 4), so within 4.5 ulp = 9u·|y| of the exact value. CUDA's tanhf is within 2 ulp = 4u·|y| (the programming
 * guide's table, no fast math in build-ptx.sh); sigmoid.cu's 1/(1 + expf(−v)) within 4u from expf (a relative error of
 * e^(−v) moves σ by at most that relative error times 1 − σ ≤ 1) and a rounding each for the add and the IEEE
 * division: 6u·|y|. Tanh: 9u + 4u = 13u, taken as 14u; sigmoid: 9u + 6u = 15u, taken as 20u, since the CPU's side is a
 * tested figure, not a proven one. (They were 8u and 16u, which assumed 2 ulp on the CPU side too.)
 *
 * <p>The answer (ModelSpec.probabilities, in double from the float output o) then moves by at most: softmax of logits
 * p_c·(e_c + max e); e^o: p·(e^e − 1); probabilities as they are: e; σ(o) per class: e/4; plus the float rounding of
 * p on each side, 2u·p. These are first-order bounds; the second-order terms are products of two of them, far
 * below the factor 2 of margin the two-sided rounding terms already carry.
 */
final class ForwardBound {
    static final double U = Math.ulp(1f) / 2;

    /** The bound on |GPU − CPU| of each network output for the (normalized) input row x. */
    static double[] outputs(Network network, float[] x, int xOff) {
        int in = network.inputFeatures();
        double[] v = new double[in], e = new double[in];
        for (int j = 0; j < in; j++) v[j] = x[xOff + j];
        for (Layer l : network.layers()) {
            double[][] ve = step(l, v, e);
            v = ve[0];
            e = ve[1];
        }
        return e;
    }

    /** The bound on |GPU − CPU| of each class probability of the answer, whose CPU value is p. */
    static double[] probabilities(ModelSpec spec, Network network, float[] x, int xOff, double[] p) {
        double[] e = outputs(network, x, xOff), b = new double[e.length];
        double maxE = max(e);
        for (int c = 0; c < e.length; c++) {
            b[c] = switch (spec.head()) {
                case SOFTMAX_OF_LOGITS -> p[c] * (e[c] + maxE);
                case EXP_OF_LOG_PROBABILITIES -> p[c] * Math.expm1(e[c]);
                case PROBABILITIES -> e[c];
                case SIGMOID_OF_LOGITS -> e[c] / 4;
            } + 2 * U * Math.abs(p[c]);
        }
        return b;
    }

    private static double[][] step(Layer l, double[] v, double[] e) {
        int n = v.length;
        double[] v2, e2;
        if (l instanceof Dense d) {
            int out = d.outFeatures();
            float[] w = d.weight().value().data();
            float[] b = d.bias() == null ? null : d.bias().value().data();
            double gamma = (n + 2) * U;
            v2 = new double[out];
            e2 = new double[out];
            for (int o = 0; o < out; o++) {
                double sum = b == null ? 0 : b[o], abs = b == null ? 0 : Math.abs(b[o]), carried = 0;
                for (int j = 0; j < n; j++) {
                    double wj = w[o * n + j];
                    sum += wj * v[j];
                    abs += Math.abs(wj * v[j]);
                    carried += Math.abs(wj) * e[j];
                }
                v2[o] = sum;
                // e' = |W|·e + γ·(2·(|W|·|v| + |b|) + |W|·e)
                e2[o] = carried + gamma * (2 * abs + carried);
            }
            return new double[][] {v2, e2};
        }
        v2 = new double[n];
        e2 = new double[n];
        if (l instanceof ReLU || l instanceof Dropout) {
            for (int j = 0; j < n; j++) v2[j] = l instanceof ReLU ? Math.max(v[j], 0) : v[j];
            return new double[][] {v2, e.clone()};
        }
        if (l instanceof LeakyReLU r) {
            for (int j = 0; j < n; j++) {
                v2[j] = v[j] > 0 ? v[j] : r.slope() * v[j];
                e2[j] = e[j] + 2 * U * Math.abs(v2[j]);
            }
        } else if (l instanceof Tanh) {
            for (int j = 0; j < n; j++) {
                v2[j] = Math.tanh(v[j]);
                e2[j] = e[j] + 14 * U * Math.abs(v2[j]);  // CPU 4.5 ulp (tested to 4) + tanhf's 2 ulp, see the table
            }
        } else if (l instanceof Sigmoid) {
            for (int j = 0; j < n; j++) {
                v2[j] = 1 / (1 + Math.exp(-v[j]));
                e2[j] = e[j] / 4 + 20 * U * Math.abs(v2[j]);  // CPU 4.5 ulp (tested to 4) + expf, add, division, see the table
            }
        } else if (l instanceof BatchNorm bn) {
            float[] g = bn.gamma().value().data(), be = bn.beta().value().data();
            float[] mean = bn.runningMean().data(), var = bn.runningVar().data();
            for (int j = 0; j < n; j++) {
                double s = 1 / Math.sqrt((double) var[j] + bn.eps()), scaled = g[j] * (v[j] - mean[j]) * s;
                v2[j] = scaled + be[j];
                e2[j] = Math.abs(g[j]) * s * e[j] + 12 * U * (Math.abs(scaled) + Math.abs(be[j]));
            }
        } else if (l instanceof Softmax || l instanceof LogSoftmax) {
            double max = max(v), sum = 0, maxE = max(e);
            for (int j = 0; j < n; j++) sum += Math.exp(v[j] - max);
            double lse = Math.log(sum);
            for (int j = 0; j < n; j++) {
                if (l instanceof Softmax) {
                    v2[j] = Math.exp(v[j] - max) / sum;
                    e2[j] = v2[j] * (e[j] + maxE) + 2 * (n + 8) * U * v2[j];
                } else {
                    v2[j] = v[j] - max - lse;
                    e2[j] = e[j] + maxE + 2 * U * (n + 4 + Math.abs(v[j] - max) + 2 * Math.abs(lse));
                }
            }
        } else {
            throw new IllegalArgumentException("no error bound for layer " + l.name());
        }
        return new double[][] {v2, e2};
    }

    private static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : a) m = Math.max(m, x);
        return m;
    }
}
