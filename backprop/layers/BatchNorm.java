package backprop.layers;

import backprop.BatchBuffer;
import backprop.DoubleForward;
import backprop.Parameter;
import backprop.init.Initializer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * Batch normalization over features (PyTorch's BatchNorm1d on {@code [batch, features]}).
 *
 * <pre>
 * training   μ_j = mean_b x_bj,   σ²_j = mean_b (x_bj − μ_j)²  (biased)
 *            x̂ = (x − μ)/√(σ² + eps),   y = γ·x̂ + β
 *            running_mean = (1 − m)·running_mean + m·μ
 *            running_var  = (1 − m)·running_var  + m·σ²·B/(B − 1)  (unbiased)
 * evaluation x̂ = (x − running_mean)/√(running_var + eps)
 * backward   ∂E/∂β = Σ_b ∂E/∂y,   ∂E/∂γ = Σ_b ∂E/∂y·x̂
 *            training:   ∂E/∂x = γ/√(σ² + eps) · (∂E/∂y − mean_b ∂E/∂y − x̂·mean_b(∂E/∂y·x̂))
 *            evaluation: ∂E/∂x = γ/√(running_var + eps) · ∂E/∂y
 * </pre>
 * γ starts at 1 and β at 0; neither is shrunk by weight decay.
 */
public final class BatchNorm extends AbstractLayer implements DoubleForward {
    private final int features;
    private final float eps;
    private final float momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final List<Parameter> parameters;  // built once: a step asks for it, and must not allocate
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final float[] invStd;          // 1/√(σ² + eps) of the last forward, per feature
    private final double[] sum;            // per-feature accumulators
    private final double[] sum2;
    private final BatchBuffer output = new BatchBuffer();
    private final BatchBuffer normalized = new BatchBuffer(); // x̂
    private final BatchBuffer gradInput = new BatchBuffer();
    private Tensor xHat;
    private boolean lastTraining;

    /** BatchNorm with PyTorch's defaults: eps = 1e-5, momentum = 0.1. */
    public BatchNorm(int features) {
        this(features, 1e-5f, 0.1f);
    }

    public BatchNorm(int features, float eps, float momentum) {
        super("batchnorm");
        if (features < 1) throw new IllegalArgumentException("batchnorm: features must be >= 1, got " + features);
        if (!(eps > 0f)) throw new IllegalArgumentException("batchnorm: eps must be > 0, got " + eps);
        if (!(momentum >= 0f && momentum <= 1f)) throw new IllegalArgumentException("batchnorm: momentum must be in [0, 1], got " + momentum);
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.gamma = new Parameter("gamma", Tensor.zeros(features).fill(1f), false);
        this.beta = new Parameter("beta", Tensor.zeros(features), false);
        this.parameters = List.of(gamma, beta);
        this.runningMean = Tensor.zeros(features);
        this.runningVar = Tensor.zeros(features).fill(1f);
        this.invStd = new float[features];
        this.sum = new double[features];
        this.sum2 = new double[features];
    }

    public float eps() { return eps; }
    public float momentum() { return momentum; }
    public Parameter gamma() { return gamma; }
    public Parameter beta() { return beta; }
    public Tensor runningMean() { return runningMean; }
    public Tensor runningVar() { return runningVar; }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("running_mean", runningMean);
        m.put("running_var", runningVar);
        return m;
    }

    @Override
    public void initialize(Initializer init, SplittableRandom rng) {
        gamma.value().fill(1f);
        beta.value().fill(0f);
        runningMean.fill(0f);
        runningVar.fill(1f);
    }

    @Override
    public int outputFeatures(int inputFeatures) {
        if (inputFeatures != features) {
            throw new IllegalArgumentException(who() + " normalizes " + features + " features but gets " + inputFeatures);
        }
        return features;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        BatchBuffer.requireContiguousBatch(x, this, features);
        int batch = x.dim(0), f = features;
        if (training && batch < 2) {
            throw new IllegalArgumentException(who() + ": training needs more than 1 row per batch for a batch variance, got " + batch);
        }
        lastTraining = training;
        float[] xd = x.data();
        int x0 = x.offset();
        float[] mean = runningMean.data(), var = runningVar.data(), inv = invStd;
        Tensor y = output.get(batch, f);
        xHat = normalized.get(batch, f);
        float[] yd = y.data(), xh = xHat.data(), g = gamma.value().data(), b = beta.value().data();
        if (training) {
            Arrays.fill(sum, 0.0);
            Arrays.fill(sum2, 0.0);
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < f; j++) sum[j] += xd[x0 + r * f + j];
            }
            // μ_j = mean_b x_bj (kept in sum[])
            for (int j = 0; j < f; j++) sum[j] /= batch;
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < f; j++) {
                    double d = xd[x0 + r * f + j] - sum[j];
                    sum2[j] += d * d;
                }
            }
            for (int j = 0; j < f; j++) {
                // σ²_j = mean_b (x − μ)², biased
                double variance = sum2[j] / batch;
                inv[j] = (float) (1.0 / Math.sqrt(variance + eps));
                // running statistics: exponential average, unbiased variance σ²·B/(B − 1)
                mean[j] = (float) ((1 - momentum) * mean[j] + momentum * sum[j]);
                var[j] = (float) ((1 - momentum) * var[j] + momentum * variance * batch / (batch - 1));
            }
            for (int r = 0; r < batch; r++) {
                int row = r * f;
                for (int j = 0; j < f; j++) {
                    // x̂ = (x − μ)/√(σ² + eps),  y = γ·x̂ + β
                    float v = (float) (xd[x0 + row + j] - sum[j]) * inv[j];
                    xh[row + j] = v;
                    yd[row + j] = g[j] * v + b[j];
                }
            }
        } else {
            for (int j = 0; j < f; j++) inv[j] = (float) (1.0 / Math.sqrt((double) var[j] + eps));
            for (int r = 0; r < batch; r++) {
                int row = r * f;
                for (int j = 0; j < f; j++) {
                    // x̂ = (x − running_mean)/√(running_var + eps),  y = γ·x̂ + β
                    float v = (xd[x0 + row + j] - mean[j]) * inv[j];
                    xh[row + j] = v;
                    yd[row + j] = g[j] * v + b[j];
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gOut) {
        if (xHat == null) throw new IllegalStateException(who() + ": backward before forward");
        int batch = xHat.dim(0), f = features;
        BatchBuffer.requireGradient(gOut, this, batch, f);
        float[] gd = gOut.data(), xh = xHat.data(), g = gamma.value().data();
        int g0 = gOut.offset();
        Arrays.fill(sum, 0.0);
        Arrays.fill(sum2, 0.0);
        for (int r = 0; r < batch; r++) {
            for (int j = 0; j < f; j++) {
                float gy = gd[g0 + r * f + j];
                sum[j] += gy;                       // Σ_b ∂E/∂y
                sum2[j] += gy * xh[r * f + j];      // Σ_b ∂E/∂y·x̂
            }
        }
        float[] dGamma = gamma.gradient().data(), dBeta = beta.gradient().data();
        for (int j = 0; j < f; j++) {
            // ∂E/∂γ = Σ_b ∂E/∂y·x̂,  ∂E/∂β = Σ_b ∂E/∂y
            if (!gamma.frozen()) dGamma[j] = (float) sum2[j];
            if (!beta.frozen()) dBeta[j] = (float) sum[j];
        }
        Tensor dx = gradInput.get(batch, f);
        float[] d = dx.data();
        for (int r = 0; r < batch; r++) {
            int row = r * f;
            for (int j = 0; j < f; j++) {
                float scale = g[j] * invStd[j];
                if (lastTraining) {
                    // ∂E/∂x = γ/√(σ²+eps) · (∂E/∂y − mean_b ∂E/∂y − x̂·mean_b(∂E/∂y·x̂))
                    d[row + j] = scale * (float) (gd[g0 + row + j] - sum[j] / batch - xh[row + j] * sum2[j] / batch);
                } else {
                    // ∂E/∂x = γ/√(running_var + eps) · ∂E/∂y
                    d[row + j] = scale * gd[g0 + row + j];
                }
            }
        }
        return dx;
    }

    @Override
    public double[] forward64(double[] x, int batch, double[][] params, boolean training) {
        int f = features;
        double[] gm = params[0], bt = params[1], y = new double[x.length];
        for (int j = 0; j < f; j++) {
            double mu, var;
            if (training) {
                double s = 0, s2 = 0;
                for (int r = 0; r < batch; r++) s += x[r * f + j];
                mu = s / batch;
                for (int r = 0; r < batch; r++) s2 += (x[r * f + j] - mu) * (x[r * f + j] - mu);
                var = s2 / batch;
            } else {
                mu = runningMean.data()[j];
                var = runningVar.data()[j];
            }
            double is = 1.0 / Math.sqrt(var + eps);
            for (int r = 0; r < batch; r++) y[r * f + j] = gm[j] * (x[r * f + j] - mu) * is + bt[j];
        }
        return y;
    }
}
