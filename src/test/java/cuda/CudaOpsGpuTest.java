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

    @Test
    void sizesAreCheckedBeforeLaunch() {
        try (DeviceBuffer small = DeviceBuffer.allocate(context, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.sigmoidForward(11, small, small));
            if (!e.getMessage().equals("sigmoid_forward: buffer z holds 10 floats, needs 11")) fail(e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ops.biasAdd(2, 5, small, 4, small));
        }
    }
}
