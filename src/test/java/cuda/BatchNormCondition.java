package cuda;

import static org.junit.jupiter.api.Assertions.fail;

import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import java.util.ArrayList;
import java.util.List;
import tensor.Tensor;

/**
 * How batch norm changes {@link StepAgreement}'s tolerance, and its check of the running statistics.
 *
 * <p>Before a batch norm layer the mirror's h_j (feature j of the Dense output) differs from the CPU's by at
 * most δh_j = ρ·S_j, S_j = max_r (Σ_k |x_rk·W_jk| + |b_j|) the sum of the absolute values of its terms: the
 * error of any float sum of them. Batch norm divides by σ_j = √(σ²_j + eps), the feature's spread over the batch:
 * x̂ = (h − μ)/σ, whose error is δ(h − μ)/σ ≤ 2δh/σ plus |x̂|·δσ/σ ≤ |x̂|·2δh/σ, about 3·δh_j/σ_j relative to
 * x̂'s scale of 1. So where the CPU and the mirror agree to ρ relative to S, they agree after a batch norm to
 * 3κ·ρ relative to its output, κ = max_j S_j/σ_j (≥ ½: no S_j is below the feature's spread). The errors of the
 * later layers add to it, so the whole step's relative error is at most ρ·(1 + 3κ) (κ over all batch norm
 * layers: a second one amplifies the first one's error again only where it is the larger, hence the max rather than
 * the product, which would count the same error twice). Backward, batch norm's ∂E/∂x is
 * γ/σ·(∂E/∂y − mean ∂E/∂y − x̂·mean(∂E/∂y·x̂)), no worse relative to the sum of its terms' absolute values, and its
 * x̂ carries the forward's 3κρ: inside the same factor. The batch statistics are summed in double on both sides,
 * in the same order (batch_norm.cu transcribes BatchNorm.java), so they add no rounding of their own.
 *
 * <p>The running statistics are convex combinations (weights m(1 − m)^(t−s), summing to at most 1) of each step's
 * batch mean μ_j and unbiased variance, so they differ by at most each step's difference of those:
 * <pre>
 *   |Δ running_mean_j| ≤ 2·ρ'·S_j + t·ulp(max|running_mean|)
 *   |Δ running_var_j|  ≤ 2·B/(B − 1)·4σ_j·ρ'·S_j + t·ulp(max|running_var|)
 * </pre>
 * with ρ' = ρ·(1 + 3κ): δμ ≤ δh, and δσ² = δ mean((h − μ)²) ≤ 2·mean|h − μ|·2δh ≤ 4σ·δh. The factor 2 is
 * StepAgreement's (both sides off by the bound, the weights' drift over a few steps: at these learning rates a few
 * per cent of w, which moves h by as little again), the t·ulp the rounding of each update. S_j and σ_j are
 * measured on the first batch through a third copy of the network; over five steps they move by a few per
 * cent, inside the factor 2.
 */
final class BatchNormCondition {
    private final double kappa;
    private final List<Integer> layers;     // indices of the batch norm layers
    private final List<double[]> sums;      // S_j of each
    private final List<double[]> spreads;   // σ_j of each
    private final int batch;

    private BatchNormCondition(double kappa, List<Integer> layers, List<double[]> sums, List<double[]> spreads, int batch) {
        this.kappa = kappa;
        this.layers = layers;
        this.sums = sums;
        this.spreads = spreads;
        this.batch = batch;
    }

    /** Measures S_j and σ_j of each batch norm layer of {@code s}'s network on the batch x (1 + 3κ = 1 without one). */
    static BatchNormCondition of(StepAgreement.Setup s, Tensor x) {
        List<Integer> layers = new ArrayList<>();
        List<double[]> sums = new ArrayList<>(), spreads = new ArrayList<>();
        if (!s.batchNorm()) return new BatchNormCondition(0, layers, sums, spreads, s.batch());
        Network probe = StepAgreement.network(s);
        StepAgreement.reseedDropouts(probe, s, null);
        probe.forward(x, true);
        double kappa = 0;
        int rows = x.dim(0);
        for (int i = 0; i < probe.layers().size(); i++) {
            if (!(probe.layers().get(i) instanceof BatchNorm bn)) continue;
            Tensor h = i == 0 ? x : probe.output(i - 1);
            int f = h.dim(1);
            Layer before = i == 0 ? null : probe.layers().get(i - 1);
            Tensor in = i < 2 ? x : probe.output(i - 2);
            double[] sum = new double[f], spread = new double[f];
            for (int j = 0; j < f; j++) {
                double mean = 0, var = 0;
                for (int r = 0; r < rows; r++) mean += h.data()[h.offset() + r * f + j];
                mean /= rows;
                for (int r = 0; r < rows; r++) var += Math.pow(h.data()[h.offset() + r * f + j] - mean, 2);
                spread[j] = Math.sqrt(var / rows + bn.eps());
                for (int r = 0; r < rows; r++) {
                    double terms = before instanceof Dense d ? termSum(d, in, r, j) : Math.abs(h.data()[h.offset() + r * f + j]);
                    sum[j] = Math.max(sum[j], terms);
                }
                kappa = Math.max(kappa, sum[j] / spread[j]);
            }
            layers.add(i);
            sums.add(sum);
            spreads.add(spread);
        }
        return new BatchNormCondition(kappa, layers, sums, spreads, rows);
    }

    /** Σ_k |x_rk·W_jk| + |b_j|. */
    private static double termSum(Dense d, Tensor in, int r, int j) {
        Parameter w = d.weight();
        int k = in.dim(1);
        double sum = d.bias() == null ? 0 : Math.abs(d.bias().value().data()[j]);
        for (int c = 0; c < k; c++) sum += Math.abs((double) in.data()[in.offset() + r * k + c] * w.value().data()[j * k + c]);
        return sum;
    }

    /** 1 + 3κ: the factor on ρ. */
    double amplification() {
        return 1 + 3 * kappa;
    }

    /** Compares each batch norm layer's running statistics after t steps (ρ already amplified); returns the worst ratio. */
    double compareRunningStatistics(Network cpu, Network mirror, double rho, int t) {
        double worst = 0;
        for (int n = 0; n < layers.size(); n++) {
            BatchNorm c = (BatchNorm) cpu.layers().get(layers.get(n)), m = (BatchNorm) mirror.layers().get(layers.get(n));
            double[] sum = sums.get(n), spread = spreads.get(n);
            float[] meanC = c.runningMean().data(), meanM = m.runningMean().data(), varC = c.runningVar().data(),
                    varM = m.runningVar().data();
            double meanUlp = t * Math.ulp((float) StepAgreement.maxAbs(meanC, meanC.length));
            double varUlp = t * Math.ulp((float) StepAgreement.maxAbs(varC, varC.length));
            for (int j = 0; j < sum.length; j++) {
                worst = Math.max(worst, ratio(c.name() + " running mean after " + t + " steps", j, meanM[j], meanC[j],
                        2 * rho * sum[j] + meanUlp));
                worst = Math.max(worst, ratio(c.name() + " running var after " + t + " steps", j, varM[j], varC[j],
                        2.0 * batch / (batch - 1) * 4 * spread[j] * rho * sum[j] + varUlp));
            }
        }
        return worst;
    }

    private static double ratio(String what, int j, double got, double expected, double tolerance) {
        double diff = Math.abs(got - expected);
        if (!(diff <= tolerance)) fail(what + " [" + j + "]: mirror " + got + ", CPU " + expected + ", |diff| " + diff + " > " + tolerance);
        return diff / tolerance;
    }
}
