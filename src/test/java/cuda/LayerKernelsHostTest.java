package cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.Loss;
import backprop.layers.BatchNorm;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.Softmax;
import backprop.loss.BinaryCrossEntropyWithLogits;
import backprop.loss.L1Loss;
import backprop.loss.MeanSquaredError;
import backprop.loss.MultiClassHinge;
import backprop.loss.NegativeLogLikelihood;
import backprop.loss.SumSquaredError;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * The host twins of the layer and loss kernels (HostLayerKernels) held to the CPU layers and losses on
 * awkward sizes. Where the kernel transcribes the CPU's arithmetic (leaky ReLU, dropout, batch norm, the
 * gradients of every loss but BCE) the twin must give the CPU's bits; elsewhere each tolerance says why.
 * u = 2⁻²⁴ is float's unit roundoff, ε = 2u.
 */
class LayerKernelsHostTest {
    private static final double EPS = Math.ulp(1f);

    private static float[] random(Random rng, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
        return v;
    }

    private static float[] data(Tensor t) {
        float[] out = new float[t.size()];
        System.arraycopy(t.data(), t.offset(), out, 0, t.size());
        return out;
    }

    @Test
    void leakyReluTwinIsTheLayerBitForBit() {
        Random rng = new Random(1);
        for (float slope : new float[] {0.01f, 0.2f}) {
            int rows = 7, cols = 37;  // 259: SIMD lanes and a scalar tail in the CPU kernel
            float[] x = random(rng, rows * cols, -4f, 4f), g = random(rng, rows * cols, -1f, 1f);
            x[0] = 0f;
            x[1] = -0f;
            LeakyReLU layer = new LeakyReLU(slope);
            float[] y = data(layer.forward(Tensor.of(x.clone(), rows, cols), true));
            float[] dx = data(layer.backward(Tensor.of(g.clone(), rows, cols)));
            float[] yTwin = new float[x.length], dxTwin = new float[x.length];
            HostLayerKernels.leakyReluForward(x.length, slope, x, yTwin);
            HostLayerKernels.leakyReluBackward(x.length, slope, x, g, dxTwin);
            assertArrayEquals(y, yTwin, 0f);
            assertArrayEquals(dx, dxTwin, 0f);
        }
    }

    /** The kernel's counter-based stream from (seed, offset) is Dropout's SplittableRandom(seed) stream. */
    @Test
    void dropoutTwinIsTheLayerBitForBitAcrossForwardsAndReseeds() {
        Random rng = new Random(2);
        for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
            int rows = 5, cols = 13;
            int n = rows * cols;
            long seed = 0x1234_5678_9abcL + (long) (p * 100);
            Dropout layer = new Dropout(p);
            layer.reseed(seed);  // what the trainer does every epoch
            long offset = 0;     // draws taken since the reseed: the GPU's counter
            for (int step = 0; step < 3; step++) {
                float[] x = random(rng, n, -2f, 2f), g = random(rng, n, -1f, 1f);
                float[] y = data(layer.forward(Tensor.of(x.clone(), rows, cols), true));
                float[] dx = data(layer.backward(Tensor.of(g.clone(), rows, cols)));
                float[] mask = new float[n], yTwin = new float[n], dxTwin = new float[n];
                HostLayerKernels.dropoutForward(n, p, seed, offset, x, mask, yTwin);
                HostLayerKernels.dropoutBackward(n, mask, g, dxTwin);
                offset += n;
                assertArrayEquals(y, yTwin, 0f, "p=" + p + " step " + step);
                assertArrayEquals(dx, dxTwin, 0f, "p=" + p + " step " + step);
            }
        }
    }

    /**
     * A stream position goes to the kernel as 16-bit chunks in floats (DropoutStream): every 64-bit seed and every
     * offset comes back as written, here at the ends of the range and with chunks of 0 and 0xffff, and the
     * device twin reading it from a buffer masks as the layer reseeded with that seed does.
     */
    @Test
    void dropoutStreamPositionsRoundTripAndTheTwinReadsThemAsTheLayerDraws() {
        long[] seeds = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xffff_0000_ffff_0000L, 0x0001_0000_0000_0001L, 0x9e3779b97f4a7c15L};
        long[] offsets = {0L, 1L, 65_535L, 65_536L, (1L << 40) + 5, Long.MAX_VALUE};
        float[] stream = new float[3 * DropoutStream.FLOATS];
        for (long seed : seeds) {
            for (long offset : offsets) {
                DropoutStream.write(seed, offset, stream, 1);
                assertEquals(seed, DropoutStream.seed(stream, 1));
                assertEquals(offset, DropoutStream.offset(stream, 1));
                for (float f : stream) assertTrue(f == Math.rint(f) && f >= 0f && f <= 65_535f, "a 16-bit chunk: " + f);
            }
        }
        int rows = 3, cols = 7, n = rows * cols;
        long seed = -0x1234_5678_9abc_def0L;
        Dropout layer = new Dropout(0.3f);
        layer.reseed(seed);
        HostKernels device = new HostKernels();
        Random rng = new Random(9);
        for (int step = 0; step < 2; step++) {
            float[] x = random(rng, n, -2f, 2f), mask = new float[n], yTwin = new float[n];
            float[] y = data(layer.forward(Tensor.of(x.clone(), rows, cols), true));
            DropoutStream.write(seed + 1, 0, stream, 0);  // another layer's position
            DropoutStream.write(seed, (long) step * n, stream, 2);
            device.dropoutForward(n, 0.3f, stream, 2, x, mask, yTwin);
            assertArrayEquals(y, yTwin, 0f, "step " + step);
        }
    }

    /**
     * Forward: the twin's exponentials ((float) Math.exp, within u) and the layer's (kernels.Activations.exp, within
     * ~2u) differ by 3u relative; both sum them in float in the same order, so the sums differ by at most (cols + 3)·u
     * relative, the reciprocals by 2u more, the products by 3u + 2u more: |Δy| ≤ (cols + 10)·u·y, and the tolerance is
     * twice that. Backward from the layer's own y: the same float operations in the same order (Σ dy·y unfused on both
     * sides, then y·(dy − Σ)), so the CPU's bits.
     */
    @Test
    void softmaxTwinIsTheLayerWithinItsExpsForwardAndBitForBitBackward() {
        Random rng = new Random(6);
        for (int cols : new int[] {1, 10, 300}) {
            int rows = 5, n = rows * cols;
            float[] z = random(rng, n, -5f, 5f), g = random(rng, n, -1f, 1f);
            Softmax layer = new Softmax();
            float[] y = data(layer.forward(Tensor.of(z.clone(), rows, cols), true));
            float[] dz = data(layer.backward(Tensor.of(g.clone(), rows, cols)));
            float[] yTwin = new float[n], dzTwin = new float[n];
            HostLayerKernels.softmaxForward(rows, cols, z, yTwin);
            HostLayerKernels.softmaxBackward(rows, cols, y, g, dzTwin);
            for (int i = 0; i < n; i++) assertEquals(y[i], yTwin[i], EPS * (cols + 10) * y[i], "y[" + i + "] cols=" + cols);
            assertArrayEquals(dz, dzTwin, 0f, "dz cols=" + cols);
        }
    }

    /** batch_norm.cu transcribes BatchNorm.java (double sums, the same roundings): the twin gives its bits. */
    @Test
    void batchNormTwinIsTheLayerBitForBit() {
        Random rng = new Random(3);
        for (int rows : new int[] {2, 3, 37}) {
            for (int f : new int[] {1, 13}) {
                int n = rows * f;
                BatchNorm layer = new BatchNorm(f, 1e-5f, 0.1f);
                float[] gamma = random(rng, f, 0.5f, 2f), beta = random(rng, f, -1f, 1f);
                System.arraycopy(gamma, 0, layer.gamma().value().data(), 0, f);
                System.arraycopy(beta, 0, layer.beta().value().data(), 0, f);
                float[] runMean = data(layer.runningMean()), runVar = data(layer.runningVar());
                float[] invStd = new float[f], xHat = new float[n], yTwin = new float[n];
                float[] dGamma = new float[f], dBeta = new float[f], dxTwin = new float[n];
                for (int step = 0; step < 2; step++) {
                    float[] x = random(rng, n, -3f, 5f), g = random(rng, n, -1f, 1f);
                    float[] y = data(layer.forward(Tensor.of(x.clone(), rows, f), true));
                    float[] dx = data(layer.backward(Tensor.of(g.clone(), rows, f)));
                    HostLayerKernels.batchNormForwardTrain(rows, f, 1e-5f, 0.1f, x, gamma, beta, runMean, runVar, invStd, xHat, yTwin);
                    HostLayerKernels.batchNormBackward(rows, f, true, g, xHat, gamma, invStd, dGamma, dBeta, dxTwin);
                    String what = rows + "x" + f + " step " + step;
                    assertArrayEquals(y, yTwin, 0f, "y " + what);
                    assertArrayEquals(data(layer.runningMean()), runMean, 0f, "running mean " + what);
                    assertArrayEquals(data(layer.runningVar()), runVar, 0f, "running var " + what);
                    assertArrayEquals(dx, dxTwin, 0f, "dx " + what);
                    assertArrayEquals(data(layer.gamma().gradient()), dGamma, 0f, "dGamma " + what);
                    assertArrayEquals(data(layer.beta().gradient()), dBeta, 0f, "dBeta " + what);
                }
                float[] x = random(rng, n, -3f, 5f), g = random(rng, n, -1f, 1f);
                float[] y = data(layer.forward(Tensor.of(x.clone(), rows, f), false));
                float[] dx = data(layer.backward(Tensor.of(g.clone(), rows, f)));
                HostLayerKernels.batchNormForwardEval(rows, f, 1e-5f, x, gamma, beta, runMean, runVar, invStd, xHat, yTwin);
                HostLayerKernels.batchNormBackward(rows, f, false, g, xHat, gamma, invStd, dGamma, dBeta, dxTwin);
                assertArrayEquals(y, yTwin, 0f, "eval y " + rows + "x" + f);
                assertArrayEquals(dx, dxTwin, 0f, "eval dx " + rows + "x" + f);
            }
        }
    }

    /**
     * The twin (Math.exp rounded to float) and the layer (kernels.Activations.exp, within ~2u) each sum cols
     * exponentials in float, so log Σ of each is within (cols + 2)·u of the exact value; the logs, the
     * add of the max and the subtraction round once each. Tolerance: the sum of both sides' bounds,
     * ε·(cols + 2 + 2|logSum| + |y|). Backward: Σdy is the same float sum on both sides; e^y differs by y's
     * difference plus both exps' 2u, times |Σdy|, and the product and difference round once each.
     */
    @Test
    void logSoftmaxTwinIsTheLayerWithinTheRoundingOfItsSums() {
        Random rng = new Random(4);
        for (int cols : new int[] {1, 10, 300}) {
            int rows = 5, n = rows * cols;
            float[] z = random(rng, n, -5f, 5f), g = random(rng, n, -1f, 1f);
            LogSoftmax layer = new LogSoftmax();
            float[] y = data(layer.forward(Tensor.of(z.clone(), rows, cols), true));
            float[] dz = data(layer.backward(Tensor.of(g.clone(), rows, cols)));
            float[] yTwin = new float[n], dzTwin = new float[n];
            HostLayerKernels.logSoftmaxForward(rows, cols, z, yTwin);
            HostLayerKernels.logSoftmaxBackward(rows, cols, yTwin, g, dzTwin);
            for (int r = 0; r < rows; r++) {
                double sumDy = 0;
                for (int c = 0; c < cols; c++) sumDy += g[r * cols + c];
                for (int c = 0; c < cols; c++) {
                    int i = r * cols + c;
                    double logSum = z[i] - y[i];
                    double yTol = EPS * (cols + 2 + 2 * Math.abs(logSum) + Math.abs(y[i]));
                    assertEquals(y[i], yTwin[i], yTol, "y[" + i + "] cols=" + cols);
                    double eY = Math.exp(y[i]);
                    double dzTol = EPS * (Math.abs(dz[i]) + eY * Math.abs(sumDy) * (yTol / EPS + 3));
                    assertEquals(dz[i], dzTwin[i], dzTol, "dz[" + i + "] cols=" + cols);
                }
            }
        }
    }

    /** E on the host from the kernel's per-row sums: lossScale·Σ_r rowLoss(r) in double. */
    private static double hostLoss(float[] rowLoss, double lossScale) {
        double sum = 0;
        for (float v : rowLoss) sum += v;
        return sum * lossScale;
    }

    /**
     * The elementwise losses. Gradient: the twin computes the CPU loss's float expression with the
     * CPU's own gradScale, so MSE (both conventions), SSE, L1, NLL and the hinge give the CPU's bits;
     * BCE's σ differs (the CPU uses Activations.exp) by at most both sides' 4u: tolerance
     * ε·(4σ + 2|σ − y|)·scale, twice each side's bound. Loss: the CPU sums every term in one double; the
     * kernel sums a row in double and rounds it to float (u relative) before the host's double sum, so
     * E differs by at most u·E plus double rounding: tolerance ε·E. BCE's terms are float on the GPU (as
     * its emulation test bounds them: within 2ε of each term's size), so its tolerance is 2ε·Σ|terms| + ε·E.
     */
    @Test
    void rowLossTwinsAreTheCpuLosses() {
        Random rng = new Random(5);
        for (int cols : new int[] {1, 7, 300}) {
            int rows = 37, n = rows * cols;
            float[] p = random(rng, n, -3f, 3f), t = random(rng, n, -3f, 3f), y01 = random(rng, n, 0f, 1f);
            for (int i = 0; i < n; i += 11) t[i] = p[i];  // ties: the L1 subgradient 0
            float[] labels = new float[rows];
            for (int r = 0; r < rows; r++) labels[r] = rng.nextInt(cols);
            float bk = (float) rows * cols;
            check("mse", new MeanSquaredError(MeanSquaredError.Convention.MEAN), DeviceKernels.RowLoss.SQUARED_ERROR,
                    p, t, rows, cols, 2f / bk, 1.0 / ((double) rows * cols), true);
            check("mse_half", new MeanSquaredError(MeanSquaredError.Convention.HALF_MEAN), DeviceKernels.RowLoss.SQUARED_ERROR,
                    p, t, rows, cols, 1f / rows, 1.0 / (2.0 * rows), true);
            check("sse", new SumSquaredError(), DeviceKernels.RowLoss.SQUARED_ERROR, p, t, rows, cols, 1f, 0.5, true);
            check("l1", new L1Loss(), DeviceKernels.RowLoss.L1, p, t, rows, cols, 1f / bk, 1.0 / ((double) rows * cols), true);
            check("nll", new NegativeLogLikelihood(), DeviceKernels.RowLoss.NLL, p, labels, rows, cols, -1f / rows, 1.0 / rows, true);
            check("hinge", new MultiClassHinge(), DeviceKernels.RowLoss.MULTICLASS_HINGE, p, labels, rows, cols, 1f / rows,
                    1.0 / rows, true);
            check("bce_logits", new BinaryCrossEntropyWithLogits(), DeviceKernels.RowLoss.BCE_WITH_LOGITS, p, y01, rows, cols,
                    1f / bk, 1.0 / ((double) rows * cols), false);
        }
    }

    private static void check(String name, Loss loss, DeviceKernels.RowLoss kernel, float[] p, float[] t, int rows, int cols,
                              float gradScale, double lossScale, boolean exactGradient) {
        Tensor target = kernel.classIndices() ? Tensor.of(t.clone(), rows) : Tensor.of(t.clone(), rows, cols);
        double e = loss.forward(Tensor.of(p.clone(), rows, cols), target);
        float[] g = data(loss.backward());
        float[] rowLoss = new float[rows], gTwin = new float[p.length];
        HostLayerKernels.rowLoss(kernel, rows, cols, p, t, gradScale, rowLoss, gTwin);
        String what = name + " cols=" + cols;
        if (exactGradient) {
            assertArrayEquals(g, gTwin, 0f, what + " gradient");
            assertEquals(e, hostLoss(rowLoss, lossScale), EPS * Math.abs(e), what + " loss");
            return;
        }
        double terms = 0;
        for (int i = 0; i < p.length; i++) {
            double z = p[i], y = t[i], sigma = 1 / (1 + Math.exp(-z));
            terms += Math.abs(z * y) + Math.abs(Math.max(z, 0) - z * y) + 2 * Math.log1p(Math.exp(-Math.abs(z)));
            assertEquals(g[i], gTwin[i], EPS * (4 * sigma + 2 * Math.abs(sigma - y)) * gradScale, what + " gradient[" + i + "]");
        }
        assertEquals(e, hostLoss(rowLoss, lossScale), 2 * EPS * terms * lossScale + EPS * Math.abs(e), what + " loss");
        assertTrue(Double.isFinite(e));
    }
}
