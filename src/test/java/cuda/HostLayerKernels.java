package cuda;

/**
 * The float[] twins of leaky_relu.cu, dropout.cu, batch_norm.cu, log_softmax.cu, softmax.cu and the row-loss kernels
 * (squared_error, l1_loss, bce_with_logits, nll_loss, multiclass_hinge): each kernel's arithmetic,
 * statement for statement, one "thread" after another. Where the kernel keeps an operation unfused
 * (__fmul_rn, __dadd_rn), Java's plain operators are the same single IEEE operation. Where the GPU's order
 * differs (log_softmax's tree reductions) or its libm does (expf, log1pf), the twin takes the simplest
 * order and Java's Math; LayerKernelsHostTest says how far that lets each twin be from the CPU layer.
 */
final class HostLayerKernels {
    private HostLayerKernels() {}

    static final long SPLITMIX_GAMMA = 0x9e3779b97f4a7c15L;

    static void leakyReluForward(int n, float slope, float[] z, float[] y) {
        // y = z if z > 0 else a·z
        for (int i = 0; i < n; i++) y[i] = z[i] > 0f ? z[i] : slope * z[i];
    }

    static void leakyReluBackward(int n, float slope, float[] z, float[] dy, float[] dz) {
        // dz = dy·(1 if z > 0 else a)
        for (int i = 0; i < n; i++) dz[i] = z[i] > 0f ? dy[i] : dy[i] * slope;
    }

    /** SplittableRandom.mix64. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static void dropoutForward(int n, float p, long seed, long offset, float[] x, float[] mask, float[] y) {
        long threshold = (long) Math.ceil((double) p * 0x1.0p53);
        float keepScale = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            // u_i = (mix64(seed + (offset + i + 1)·γ) >> 11)·2⁻⁵³;  mask_i = [u_i ≥ p]/(1 − p);  y = x·mask
            long bits = mix64(seed + (offset + i + 1) * SPLITMIX_GAMMA) >>> 11;
            float m = bits >= threshold ? keepScale : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    static void dropoutBackward(int n, float[] mask, float[] dy, float[] dx) {
        // dx = dy·mask
        for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
    }

    static void batchNormForwardTrain(int rows, int f, float eps, float momentum, float[] x, float[] gamma, float[] beta,
                                      float[] runningMean, float[] runningVar, float[] invStd, float[] xHat, float[] y) {
        for (int j = 0; j < f; j++) {
            double sum = 0.0;
            for (int r = 0; r < rows; r++) sum += x[r * f + j];
            // μ = Σ x / B
            double mean = sum / rows;
            double sum2 = 0.0;
            for (int r = 0; r < rows; r++) {
                double d = (double) x[r * f + j] - mean;
                sum2 += d * d;
            }
            // σ² = Σ (x − μ)² / B
            double variance = sum2 / rows;
            float inv = (float) (1.0 / Math.sqrt(variance + eps));
            invStd[j] = inv;
            float keep = 1f - momentum;
            // running_mean ← (1 − m)·running_mean + m·μ;  running_var ← (1 − m)·running_var + m·σ²·B/(B − 1)
            runningMean[j] = (float) ((double) (keep * runningMean[j]) + (double) momentum * mean);
            runningVar[j] = (float) ((double) (keep * runningVar[j]) + (double) momentum * variance * rows / (rows - 1));
            for (int r = 0; r < rows; r++) {
                int e = r * f + j;
                // x̂ = (x − μ)·invStd,  y = γ·x̂ + β
                float v = (float) ((double) x[e] - mean) * inv;
                xHat[e] = v;
                y[e] = gamma[j] * v + beta[j];
            }
        }
    }

    static void batchNormForwardEval(int rows, int f, float eps, float[] x, float[] gamma, float[] beta, float[] runningMean,
                                     float[] runningVar, float[] invStd, float[] xHat, float[] y) {
        for (int j = 0; j < f; j++) {
            float inv = (float) (1.0 / Math.sqrt((double) runningVar[j] + eps));
            invStd[j] = inv;
            for (int r = 0; r < rows; r++) {
                int e = r * f + j;
                // x̂ = (x − running_mean)·invStd,  y = γ·x̂ + β
                float v = (x[e] - runningMean[j]) * inv;
                xHat[e] = v;
                y[e] = gamma[j] * v + beta[j];
            }
        }
    }

    static void batchNormBackward(int rows, int f, boolean training, float[] dy, float[] xHat, float[] gamma, float[] invStd,
                                  float[] dGamma, float[] dBeta, float[] dx) {
        for (int j = 0; j < f; j++) {
            double sum = 0.0, sum2 = 0.0;
            for (int r = 0; r < rows; r++) {
                sum += dy[r * f + j];
                sum2 += dy[r * f + j] * xHat[r * f + j];
            }
            // ∂E/∂γ = Σ dy·x̂,  ∂E/∂β = Σ dy
            dGamma[j] = (float) sum2;
            dBeta[j] = (float) sum;
            float scale = gamma[j] * invStd[j];
            double meanDy = sum / rows;
            for (int r = 0; r < rows; r++) {
                int e = r * f + j;
                // training: ∂E/∂x = γ·invStd·(dy − mean dy − x̂·mean(dy·x̂));  evaluation: γ·invStd·dy
                dx[e] = training ? scale * (float) ((double) dy[e] - meanDy - (double) xHat[e] * sum2 / rows) : scale * dy[e];
            }
        }
    }

    static void logSoftmaxForward(int rows, int cols, float[] z, float[] y) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            float zMax = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) zMax = Math.max(zMax, z[row + c]);
            float sum = 0f;
            for (int c = 0; c < cols; c++) sum += (float) Math.exp(z[row + c] - zMax);
            // log Σ e^z = zMax + log Σ e^(z − zMax);  y = z − log Σ e^z
            float logSum = zMax + (float) Math.log(sum);
            for (int c = 0; c < cols; c++) y[row + c] = z[row + c] - logSum;
        }
    }

    static void logSoftmaxBackward(int rows, int cols, float[] y, float[] dy, float[] dz) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            float sumDy = 0f;
            for (int c = 0; c < cols; c++) sumDy += dy[row + c];
            // ∂E/∂z = dy − e^y·Σ dy
            for (int c = 0; c < cols; c++) dz[row + c] = dy[row + c] - (float) Math.exp(y[row + c]) * sumDy;
        }
    }

    static void softmaxForward(int rows, int cols, float[] z, float[] y) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            float zMax = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) zMax = Math.max(zMax, z[row + c]);
            float sum = 0f;
            for (int c = 0; c < cols; c++) sum += (float) Math.exp(z[row + c] - zMax);
            // y = e^(z − zMax)·(1/Σ e^(z − zMax))
            float inv = 1f / sum;
            for (int c = 0; c < cols; c++) y[row + c] = (float) Math.exp(z[row + c] - zMax) * inv;
        }
    }

    static void softmaxBackward(int rows, int cols, float[] y, float[] dy, float[] dz) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            float dot = 0f;
            for (int c = 0; c < cols; c++) dot += dy[row + c] * y[row + c];
            // ∂E/∂z = y·(dy − Σ dy·y)
            for (int c = 0; c < cols; c++) dz[row + c] = y[row + c] * (dy[row + c] - dot);
        }
    }

    static void rowLoss(DeviceKernels.RowLoss loss, int rows, int cols, float[] p, float[] t, float gradScale, float[] rowLoss,
                        float[] grad) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double sum = 0.0;
            switch (loss) {
                case SQUARED_ERROR -> {
                    for (int c = 0; c < cols; c++) {
                        // (t − p)², ∂E/∂p = (p − t)·gradScale
                        double error = (double) t[row + c] - p[row + c];
                        sum += error * error;
                        grad[row + c] = (p[row + c] - t[row + c]) * gradScale;
                    }
                }
                case L1 -> {
                    for (int c = 0; c < cols; c++) {
                        // |p − t|, ∂E/∂p = sign(p − t)·gradScale
                        sum += Math.abs((double) p[row + c] - t[row + c]);
                        float d = p[row + c] - t[row + c];
                        grad[row + c] = (d > 0f ? 1f : (d < 0f ? -1f : 0f)) * gradScale;
                    }
                }
                case BCE_WITH_LOGITS -> {
                    for (int c = 0; c < cols; c++) {
                        float z = p[row + c], y = t[row + c];
                        // ℓ = max(z, 0) − z·y + log(1 + e^(−|z|)),  ∂E/∂z = (σ(z) − y)·gradScale
                        sum += Math.max(z, 0f) - z * y + (float) Math.log1p((float) Math.exp(-Math.abs(z)));
                        grad[row + c] = (1f / (1f + (float) Math.exp(-z)) - y) * gradScale;
                    }
                }
                case NLL -> {
                    int label = (int) t[r];
                    // rowLoss = −logp(r, t),  ∂E/∂logp = gradScale·[c = t]
                    sum = -p[row + label];
                    for (int c = 0; c < cols; c++) grad[row + c] = c == label ? gradScale : 0f;
                }
                case MULTICLASS_HINGE -> {
                    int label = (int) t[r], violating = 0;
                    double st = p[row + label];
                    for (int c = 0; c < cols; c++) {
                        // margin = s_c − s_t + 1;  ∂E/∂s_c = [margin > 0]·gradScale for c ≠ t
                        double margin = ((double) p[row + c] - st) + 1.0;
                        boolean active = c != label && margin > 0.0;
                        if (active) {
                            sum += margin;
                            violating++;
                        }
                        grad[row + c] = active ? gradScale : 0f;
                    }
                    // ∂E/∂s_t = −(violating classes)·gradScale
                    grad[row + label] = (float) -violating * gradScale;
                }
            }
            rowLoss[r] = (float) sum;
        }
    }
}
