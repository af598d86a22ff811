package cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each training-step kernel on the GPU against its CPU twin, computed here in double from the same
 * float inputs. Skipped without a GPU. Tolerances (u = 2^-24, ε = 2u; CUDA's expf and tanhf are
 * within 2 ulp, logf within 1 ulp, without fast-math) are explained at each check; the same kernels
 * pass the same bounds under the CPU emulation (cuda/emu/).
 */
class CudaOpsGpuTest {
    private static final double EPS = Math.ulp(1f);
    private static CudaContext context;
    private static CudaOps ops;

    // Per test, not @BeforeAll, so that a run without a GPU reports each test as skipped.
    @BeforeEach
    void needsGpu() {
        assumeTrue(Gpu.available(), () -> "no GPU: " + Gpu.probe().reason());
        if (ops == null) {
            context = Gpu.context();
            context.setSyncAfterLaunch(true);
            ops = new CudaOps(context);
        }
    }

    @AfterAll
    static void done() {
        if (context != null) {
            context.synchronize();
            context.setSyncAfterLaunch(false);  // the JVM's one context: later classes capture graphs
        }
    }

    private static float[] random(int n, double lo, double hi, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(lo, hi);
        return x;
    }

    private static DeviceBuffer up(float[] x) {
        DeviceBuffer d = DeviceBuffer.allocate(context, Math.max(1, x.length));
        d.copyFromHost(x, 0, 0, x.length);
        return d;
    }

    private static float[] down(DeviceBuffer d, int n) {
        float[] x = new float[n];
        d.copyToHost(0, x, 0, n);
        return x;
    }

    private static void close(String what, int i, float got, double expected, double tolerance) {
        if (!(Math.abs(got - expected) <= tolerance)) {
            fail(what + "[" + i + "] = " + got + ", expected " + expected + " (tolerance " + tolerance + ")");
        }
    }

    @Test
    void activationsForwardAndBackward() {
        int n = 100_003;  // more than one block, not a multiple of 256
        float[] z = random(n, -10, 10, 1), dy = random(n, -1, 1, 2);
        z[0] = 0f;
        z[1] = -0f;
        try (DeviceBuffer dz = up(z); DeviceBuffer ddy = up(dy); DeviceBuffer dyOut = DeviceBuffer.allocate(context, n); DeviceBuffer dgrad = DeviceBuffer.allocate(context, n)) {
            ops.sigmoidForward(n, dz, dyOut);
            float[] y = down(dyOut, n);
            // σ: expf ≤ 2 ulp, 1 + e and the division one rounding each: relative error ≤ 4u < 4ε.
            for (int i = 0; i < n; i++) {
                double ref = 1 / (1 + Math.exp(-(double) z[i]));
                close("sigmoid_forward", i, y[i], ref, 4 * EPS * ref);
            }
            ops.sigmoidBackward(n, dyOut, ddy, dgrad);
            float[] g = down(dgrad, n);
            // dy·y·(1 − y): three roundings on float inputs (1 − y exact for y ≥ 1/2): 4ε relative.
            for (int i = 0; i < n; i++) {
                double ref = (double) dy[i] * y[i] * (1 - (double) y[i]);
                close("sigmoid_backward", i, g[i], ref, 4 * EPS * Math.abs(ref));
            }
            ops.reluForward(n, dz, dyOut);
            y = down(dyOut, n);
            for (int i = 0; i < n; i++) close("relu_forward", i, y[i], z[i] > 0 ? z[i] : 0, 0);  // a selection: exact
            ops.reluBackward(n, dyOut, ddy, dgrad);
            g = down(dgrad, n);
            for (int i = 0; i < n; i++) close("relu_backward", i, g[i], y[i] > 0 ? dy[i] : 0, 0);
            ops.tanhForward(n, dz, dyOut);
            y = down(dyOut, n);
            // tanhf ≤ 2 ulp: 4ε relative (tanh(±0) exactly ±0).
            for (int i = 0; i < n; i++) close("tanh_forward", i, y[i], Math.tanh(z[i]), 4 * EPS * Math.abs(Math.tanh(z[i])));
            ops.tanhBackward(n, dyOut, ddy, dgrad);
            g = down(dgrad, n);
            // dy·(1 − y²): 1 − y² may cancel, so bound by the terms: 4ε·|dy|·(1 + y²).
            for (int i = 0; i < n; i++) {
                double ref = dy[i] * (1 - (double) y[i] * y[i]);
                close("tanh_backward", i, g[i], ref, 4 * EPS * Math.abs(dy[i]) * (1 + (double) y[i] * y[i]));
            }
        }
    }

    @Test
    void biasAddKeepsThePadding() {
        int rows = 33, cols = 13, ld = 16;
        float[] x = random(rows * ld, -1, 1, 3), bias = random(cols, -1, 1, 4);
        try (DeviceBuffer dx = up(x); DeviceBuffer db = up(bias)) {
            ops.biasAdd(rows, cols, dx, ld, db);
            float[] got = down(dx, rows * ld);
            for (int i = 0; i < rows * ld; i++) {
                // One float add: within u of the result (ε bound); padding untouched, bit for bit.
                double ref = i % ld < cols ? (double) x[i] + bias[i % ld] : x[i];
                close("bias_add", i, got[i], ref, i % ld < cols ? EPS * Math.abs(ref) : 0);
            }
        }
    }

    @Test
    void columnSumsOverwriteOrAccumulate() {
        int rows = 257, cols = 300, ld = 301;
        float[] x = random(rows * ld, -1, 1, 5), out0 = random(cols, -1, 1, 6);
        for (float beta : new float[] {0f, 0.5f}) {
            try (DeviceBuffer dx = up(x); DeviceBuffer dout = up(out0)) {
                ops.columnSums(rows, cols, dx, ld, beta, dout);
                float[] got = down(dout, cols);
                for (int c = 0; c < cols; c++) {
                    double ref = beta == 0f ? 0 : beta * (double) out0[c], abs = Math.abs(ref);
                    for (int r = 0; r < rows; r++) {
                        ref += x[r * ld + c];
                        abs += Math.abs(x[r * ld + c]);
                    }
                    // A running sum of rows terms: ≤ rows·u·Σ|x| off, two more roundings for beta: (rows + 2)·ε·Σ|x|.
                    close("column_sums beta=" + beta, c, got[c], ref, (rows + 2) * EPS * abs);
                }
            }
        }
    }

    /**
     * Three steps of the kernel against three steps of the CPU optimizer (backprop.optim.Sgd) on the same
     * weights and gradients: bit for bit, since both compute the same fused multiply-adds (momentum with
     * both penalties; L2 only; plain SGD). 10 001 parameters: Sgd's vector lanes and its scalar tail.
     */
    @Test
    void sgdMomentumStepIsSgdsStep() {
        int n = 10_001;
        float[][] cases = {{0.1f, 0.9f, 1e-4f, 1e-3f}, {0.05f, 0.5f, 0f, 5e-4f}, {0.1f, 0f, 0f, 0f}};
        for (float[] c : cases) {
            float lr = c[0], mu = c[1], l1 = c[2], l2 = c[3];
            float[] w = random(n, -1, 1, 7);
            for (int i = 0; i < n; i += 17) w[i] = 0f;  // sign(0) = 0
            backprop.Parameter p = new backprop.Parameter("weight", tensor.Tensor.of(w.clone(), n), true);
            backprop.optim.Sgd sgd = new backprop.optim.Sgd(java.util.List.of(p), lr).momentum(mu)
                    .regularization(backprop.optim.Regularization.of(l1, l2));
            try (DeviceBuffer dw = up(w); DeviceBuffer dg = DeviceBuffer.allocate(context, n); DeviceBuffer dv = up(new float[n])) {
                for (int step = 0; step < 3; step++) {
                    float[] g = random(n, -1, 1, 8 + step);
                    System.arraycopy(g, 0, p.gradient().data(), 0, n);
                    sgd.step();
                    dg.copyFromHost(g, 0, 0, n);
                    ops.sgdMomentum(n, lr, mu, l1, l2, dw, dg, dv);
                    float[] w1 = down(dw, n);
                    for (int i = 0; i < n; i++) {
                        if (Float.floatToRawIntBits(w1[i]) != Float.floatToRawIntBits(p.value().data()[i])) {
                            fail("sgd_momentum lr=" + lr + " mu=" + mu + " l1=" + l1 + " l2=" + l2 + " step " + step + " [" + i
                                    + "]: GPU w " + w1[i] + ", Sgd w " + p.value().data()[i]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void softmaxCrossEntropyForwardAndGradient() {
        for (int cols : new int[] {10, 300}) {
            int rows = 65;
            float gradScale = 1f / rows;
            float[] z = random(rows * cols, -5, 5, 10 + cols), t = new float[rows * cols];
            SplittableRandom random = new SplittableRandom(cols);
            for (int r = 0; r < rows; r++) {
                if (r % 2 == 0) {
                    t[r * cols + r * 7 % cols] = 1f;  // one-hot
                } else {
                    double sum = 0;  // a soft target
                    for (int c = 0; c < cols; c++) sum += t[r * cols + c] = (float) random.nextDouble();
                    for (int c = 0; c < cols; c++) t[r * cols + c] = (float) (t[r * cols + c] / sum);
                }
            }
            try (DeviceBuffer dz = up(z); DeviceBuffer dt = up(t); DeviceBuffer dp = DeviceBuffer.allocate(context, rows * cols); DeviceBuffer dl = DeviceBuffer.allocate(context, rows); DeviceBuffer dg = DeviceBuffer.allocate(context, rows * cols)) {
                ops.softmaxCrossEntropy(rows, cols, dz, dt, dp, dl, dg, gradScale);
                float[] p = down(dp, rows * cols), loss = down(dl, rows), grad = down(dg, rows * cols);
                for (int r = 0; r < rows; r++) {
                    double zMax = Double.NEGATIVE_INFINITY, sumExp = 0, lossRef = 0, lossTol = 0;
                    for (int c = 0; c < cols; c++) zMax = Math.max(zMax, z[r * cols + c]);
                    for (int c = 0; c < cols; c++) sumExp += Math.exp(z[r * cols + c] - zMax);
                    double lse = Math.log(sumExp);
                    for (int c = 0; c < cols; c++) {
                        int i = r * cols + c;
                        double logP = z[i] - zMax - lse, pRef = Math.exp(logP);
                        // log p = z − zMax − log Σe: the float sum of cols exponentials (each ≤ 2u off) is
                        // ≤ (cols + 2)·u off relative, logf adds u·|lse|, the subtractions u·(|z − zMax| + |lse|);
                        // twice that as the bound on log p's absolute error, and p = e^(log p) adds expf's 2u.
                        double logTol = EPS * (cols + 2 + Math.abs(z[i] - zMax) + 2 * Math.abs(lse));
                        double pTol = pRef * (logTol + EPS);
                        close("softmax probs cols=" + cols, i, p[i], pRef, pTol);
                        close("softmax dlogits cols=" + cols, i, grad[i], (pRef - t[i]) * gradScale,
                                (pTol + EPS * Math.abs(pRef - t[i])) * gradScale);
                        lossRef -= t[i] * logP;
                        lossTol += t[i] * logTol;
                    }
                    close("softmax rowLoss cols=" + cols, r, loss[r], lossRef, lossTol + cols * EPS * Math.abs(lossRef));
                }
            }
        }
    }

    @Test
    void scaleIsOneRoundingAndZeroOverwritesNaN() {
        int m = 9, n = 6, ld = 8, off = 3;
        float[] c = random(off + m * ld, -1, 1, 11);
        for (int i = 0; i < m; i++) c[off + i * ld] = Float.NaN;
        try (DeviceBuffer dc = up(c)) {
            ops.scale(m, n, -0.75f, dc, off, ld);
            float[] got = down(dc, c.length);
            for (int i = 0; i < c.length; i++) {
                int rel = i - off;
                boolean element = rel >= 0 && rel / ld < m && rel % ld < n;
                float expected = element ? -0.75f * c[i] : c[i];  // one correctly rounded product: exact match
                if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected) && !(Float.isNaN(got[i]) && Float.isNaN(expected))) {
                    fail("scale[" + i + "] = " + got[i] + ", expected " + expected);
                }
            }
            ops.scale(m, n, 0f, dc, off, ld);
            got = down(dc, c.length);
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) close("scale beta=0", i * ld + j, got[off + i * ld + j], 0, 0);
        }
    }

    /** got and expected bit for bit (NaN patterns aside). */
    private static void sameBits(String what, float[] got, float[] expected, int n) {
        for (int i = 0; i < n; i++) {
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(expected[i])) {
                fail(what + "[" + i + "] = " + got[i] + ", the twin's " + expected[i] + " (bit for bit expected)");
            }
        }
    }

    /**
     * Leaky ReLU and dropout against their host twins (HostLayerKernels, which LayerKernelsHostTest holds to the CPU
     * layers bit for bit): one float comparison and one correctly rounded product an element, so the same bits; the
     * dropout mask from the stream position read on the device (index 1 of 3, an offset past 2³²), so the CPU's mask.
     */
    @Test
    void leakyReluAndDropoutAreTheirTwinsBitForBit() {
        int n = 100_003;
        float[] z = random(n, -4, 4, 21), dy = random(n, -1, 1, 22);
        z[0] = 0f;
        z[1] = -0f;
        float[] y = new float[n], dz = new float[n];
        try (DeviceBuffer dz0 = up(z); DeviceBuffer ddy = up(dy); DeviceBuffer dout = DeviceBuffer.allocate(context, n);
             DeviceBuffer dgrad = DeviceBuffer.allocate(context, n); DeviceBuffer dmask = DeviceBuffer.allocate(context, n)) {
            ops.leakyReluForward(n, 0.01f, dz0, dout);
            HostLayerKernels.leakyReluForward(n, 0.01f, z, y);
            sameBits("leaky_relu_forward", down(dout, n), y, n);
            ops.leakyReluBackward(n, 0.01f, dz0, ddy, dgrad);
            HostLayerKernels.leakyReluBackward(n, 0.01f, z, dy, dz);
            sameBits("leaky_relu_backward", down(dgrad, n), dz, n);
            for (float p : new float[] {0.2f, 0.5f}) {
                float[] stream = new float[3 * DropoutStream.FLOATS], mask = new float[n];
                long seed = -0x5eed_1234_abcdL, offset = (1L << 33) + 7;
                DropoutStream.write(seed + 1, 0, stream, 0);
                DropoutStream.write(seed, offset, stream, 1);
                DropoutStream.write(seed, offset + 1, stream, 2);
                try (DeviceBuffer dstream = up(stream)) {
                    ops.dropoutForward(n, p, dstream, 1, dz0, dmask, dout);
                    HostLayerKernels.dropoutForward(n, p, seed, offset, z, mask, y);
                    sameBits("dropout_forward mask p=" + p, down(dmask, n), mask, n);
                    sameBits("dropout_forward y p=" + p, down(dout, n), y, n);
                    ops.dropoutBackward(n, dmask, ddy, dgrad);
                    HostLayerKernels.dropoutBackward(n, mask, dy, dz);
                    sameBits("dropout_backward p=" + p, down(dgrad, n), dz, n);
                }
            }
        }
    }

    /**
     * Batch norm against its twin: batch_norm.cu keeps every double and float operation unfused (__dadd_rn, __dmul_rn,
     * __fmul_rn, __fadd_rn), and CUDA's double division and sqrt round correctly, so the kernel computes the twin's
     * (and the CPU layer's) bits: training forward (y, x̂, 1/σ, the running statistics), evaluation forward and both
     * backward forms, at 2, 3 and 257 rows of 1, 13 and 300 features (features over threads: the loop wraps).
     */
    @Test
    void batchNormIsItsTwinBitForBit() {
        for (int rows : new int[] {2, 3, 257}) {
            for (int f : new int[] {1, 13, 300}) {
                int n = rows * f;
                String tag = "batch_norm " + rows + "x" + f + " ";
                float[] x = random(n, -3, 5, 30 + f), gamma = random(f, 0.5, 2, 31), beta = random(f, -1, 1, 32), dy = random(n, -1, 1, 33);
                float[] mean = random(f, -1, 1, 34), var = random(f, 0.5, 2, 35);
                float[] inv = new float[f], xHat = new float[n], y = new float[n], dGamma = new float[f], dBeta = new float[f], dx = new float[n];
                try (DeviceBuffer dxIn = up(x); DeviceBuffer dg = up(gamma); DeviceBuffer db = up(beta); DeviceBuffer ddy = up(dy);
                     DeviceBuffer dmean = up(mean); DeviceBuffer dvar = up(var); DeviceBuffer dinv = DeviceBuffer.allocate(context, f);
                     DeviceBuffer dxHat = DeviceBuffer.allocate(context, n); DeviceBuffer dy0 = DeviceBuffer.allocate(context, n);
                     DeviceBuffer ddg = DeviceBuffer.allocate(context, f); DeviceBuffer ddb = DeviceBuffer.allocate(context, f);
                     DeviceBuffer ddx = DeviceBuffer.allocate(context, n)) {
                    ops.batchNormForwardTrain(rows, f, 1e-5f, 0.1f, dxIn, dg, db, dmean, dvar, dinv, dxHat, dy0);
                    HostLayerKernels.batchNormForwardTrain(rows, f, 1e-5f, 0.1f, x, gamma, beta, mean, var, inv, xHat, y);
                    sameBits(tag + "train y", down(dy0, n), y, n);
                    sameBits(tag + "train xHat", down(dxHat, n), xHat, n);
                    sameBits(tag + "train invStd", down(dinv, f), inv, f);
                    sameBits(tag + "running mean", down(dmean, f), mean, f);
                    sameBits(tag + "running var", down(dvar, f), var, f);
                    for (boolean training : new boolean[] {true, false}) {
                        if (!training) {
                            ops.batchNormForwardEval(rows, f, 1e-5f, dxIn, dg, db, dmean, dvar, dinv, dxHat, dy0);
                            HostLayerKernels.batchNormForwardEval(rows, f, 1e-5f, x, gamma, beta, mean, var, inv, xHat, y);
                            sameBits(tag + "eval y", down(dy0, n), y, n);
                        }
                        ops.batchNormBackward(rows, f, training, ddy, dxHat, dg, dinv, ddg, ddb, ddx);
                        HostLayerKernels.batchNormBackward(rows, f, training, dy, xHat, gamma, inv, dGamma, dBeta, dx);
                        sameBits(tag + "dx training=" + training, down(ddx, n), dx, n);
                        sameBits(tag + "dGamma training=" + training, down(ddg, f), dGamma, f);
                        sameBits(tag + "dBeta training=" + training, down(ddb, f), dBeta, f);
                    }
                }
            }
        }
    }

    /**
     * log_softmax and softmax on 65 rows of 1, 10 and 300 columns against double references, with the emulation's
     * bounds (cuda/emu/layer_kernels_test.cpp, where each is derived: float tree sums of cols terms, expf within 2 ulp,
     * logf within 1).
     */
    @Test
    void logSoftmaxAndSoftmaxWithinTheRoundingOfTheirSums() {
        for (int cols : new int[] {1, 10, 300}) {
            int rows = 65, n = rows * cols;
            float[] z = random(n, -5, 5, 40 + cols), dy = random(n, -1, 1, 41 + cols);
            try (DeviceBuffer dz = up(z); DeviceBuffer ddy = up(dy); DeviceBuffer dout = DeviceBuffer.allocate(context, n);
                 DeviceBuffer dgrad = DeviceBuffer.allocate(context, n)) {
                ops.logSoftmaxForward(rows, cols, dz, dout);
                float[] logY = down(dout, n);
                ops.logSoftmaxBackward(rows, cols, dout, ddy, dgrad);
                float[] logDz = down(dgrad, n);
                ops.softmaxForward(rows, cols, dz, dout);
                float[] y = down(dout, n);
                ops.softmaxBackward(rows, cols, dout, ddy, dgrad);
                float[] dzs = down(dgrad, n);
                for (int r = 0; r < rows; r++) {
                    double zMax = Double.NEGATIVE_INFINITY, sumExp = 0, sumDy = 0, absDy = 0, dot = 0, absDot = 0;
                    for (int c = 0; c < cols; c++) zMax = Math.max(zMax, z[r * cols + c]);
                    for (int c = 0; c < cols; c++) {
                        int i = r * cols + c;
                        sumExp += Math.exp(z[i] - zMax);
                        sumDy += dy[i];
                        absDy += Math.abs(dy[i]);
                        dot += (double) dy[i] * y[i];
                        absDot += Math.abs((double) dy[i] * y[i]);
                    }
                    double logSum = zMax + Math.log(sumExp);
                    for (int c = 0; c < cols; c++) {
                        int i = r * cols + c;
                        double yRef = z[i] - logSum;
                        close("log_softmax_forward cols=" + cols, i, logY[i], yRef, EPS * (cols + 2 + 2 * Math.abs(logSum) + Math.abs(yRef)));
                        double p = Math.exp(yRef), ref = dy[i] - p * sumDy;
                        close("log_softmax_backward cols=" + cols, i, logDz[i], ref,
                                EPS * (Math.abs(ref) + p * (cols * absDy + (cols + 5 + 2 * Math.abs(logSum)) * Math.abs(sumDy))));
                        double sRef = Math.exp(z[i] - zMax) / sumExp;
                        close("softmax_forward cols=" + cols, i, y[i], sRef, EPS * (cols + 9) * sRef);
                        double dRef = y[i] * (dy[i] - dot);
                        close("softmax_backward cols=" + cols, i, dzs[i], dRef,
                                EPS * (Math.abs(y[i]) * ((cols + 1) * absDot + Math.abs(dy[i] - dot)) + Math.abs(dRef)));
                    }
                }
            }
        }
    }

    /**
     * Each row-loss kernel against its twin on 37 rows of 1 and 10 columns. The gradients are the CPU's float
     * expressions (a difference and a product, a sign, a selection): bit for bit, and so are the row sums (one
     * thread a row summing in double in column order, as the twin). BCE with logits goes through expf and log1pf
     * (≤ 2 ulp each): σ(z) = 1/(1 + e^(−z)) within 4ε relative (exp 2ε, the add and the division ε each), so the
     * gradient within (4ε·σ + ε·|σ − y|)·scale; a term ℓ = max(z, 0) − z·y + log1p(e^(−|z|)) within
     * ε·(|z·y| + 5·log1p(e^(−|z|)) + |ℓ|) (the product, exp and log1p, the two sums), and the row sum within the sum of
     * its terms' bounds plus the final rounding to float.
     */
    @Test
    void rowLossesAreTheirTwinsBitForBitButBceWithinExpAndLog() {
        for (int cols : new int[] {1, 10}) {
            int rows = 37, n = rows * cols;
            float[] prediction = random(n, -3, 3, 50 + cols), rowTargets = random(n, 0, 1, 51 + cols), labels = new float[rows];
            SplittableRandom random = new SplittableRandom(52);
            for (int r = 0; r < rows; r++) labels[r] = random.nextInt(cols);
            for (DeviceKernels.RowLoss loss : DeviceKernels.RowLoss.values()) {
                float[] target = loss.classIndices() ? labels : rowTargets, rowLoss = new float[rows], grad = new float[n];
                float scale = loss == DeviceKernels.RowLoss.NLL ? -1f / rows : 1f / n;
                try (DeviceBuffer dp = up(prediction); DeviceBuffer dt = up(target); DeviceBuffer dl = DeviceBuffer.allocate(context, rows);
                     DeviceBuffer dg = DeviceBuffer.allocate(context, n)) {
                    ops.rowLoss(loss, rows, cols, dp, dt, scale, dl, dg);
                    HostLayerKernels.rowLoss(loss, rows, cols, prediction, target, scale, rowLoss, grad);
                    float[] gotLoss = down(dl, rows), gotGrad = down(dg, n);
                    String tag = loss + " cols=" + cols;
                    if (loss != DeviceKernels.RowLoss.BCE_WITH_LOGITS) {
                        sameBits(tag + " rowLoss", gotLoss, rowLoss, rows);
                        sameBits(tag + " grad", gotGrad, grad, n);
                        continue;
                    }
                    for (int r = 0; r < rows; r++) {
                        double sum = 0, tol = 0;
                        for (int c = 0; c < cols; c++) {
                            int i = r * cols + c;
                            double z = prediction[i], y = target[i], sigma = 1 / (1 + Math.exp(-z)), soft = Math.log1p(Math.exp(-Math.abs(z)));
                            double term = Math.max(z, 0) - z * y + soft;
                            sum += term;
                            tol += EPS * (Math.abs(z * y) + 5 * soft + Math.abs(term));
                            close(tag + " grad", i, gotGrad[i], (sigma - y) * scale, (4 * EPS * sigma + EPS * Math.abs(sigma - y)) * scale);
                        }
                        close(tag + " rowLoss", r, gotLoss[r], sum, tol + EPS * Math.abs(sum));
                    }
                }
            }
        }
    }

    @Test
    void sizesAreCheckedBeforeLaunch() {
        try (DeviceBuffer small = DeviceBuffer.allocate(context, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.sigmoidForward(11, small, small));
            if (!e.getMessage().equals("sigmoid_forward: buffer z holds 10 floats, needs 11")) fail(e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ops.biasAdd(2, 5, small, 4, small));
        }
    }
}
