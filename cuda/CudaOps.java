package cuda;

/**
 * The training-step kernels on device buffers, each checked for sizes before it is queued: what a GPU
 * training step calls between its SGEMMs. Every method queues its kernel and returns; results are
 * visible to later kernels at once and to the host after a copy (which waits).
 *
 * <p>Layout: a batch is rows×cols row-major (a sample a row), {@code ld} its row stride. Each kernel's
 * formula is in its .cu file and in the method comment; {@code CudaOpsGpuTest} holds each to a CPU twin.
 *
 * <p>Each kernel keeps its argument slots and launch shape between calls, so a call with the same
 * buffers and sizes as the previous call of that kernel allocates nothing; give each layer (each call
 * site) its own CudaOps to keep a training step allocation-free. Not thread-safe.
 */
public final class CudaOps {
    private final Kernel biasAdd, sigmoidForward, sigmoidBackward, reluForward, reluBackward, tanhForward,
            tanhBackward, softmaxCrossEntropy, columnSums, sgdMomentum, scaleMatrix, leakyReluForward, leakyReluBackward,
            dropoutForward, dropoutBackward, batchNormTrain, batchNormEval, batchNormBackward, logSoftmaxForward,
            logSoftmaxBackward, softmaxForward, softmaxBackward;
    private final java.util.EnumMap<DeviceKernels.RowLoss, Kernel> rowLosses = new java.util.EnumMap<>(DeviceKernels.RowLoss.class);

    /** Throws {@link GpuUnavailableException} (with the probe's reason) when there is no GPU. */
    public CudaOps() {
        this(Gpu.context());
    }

    public CudaOps(CudaContext context) {
        biasAdd = new Kernel(context, "bias_add", "bias_add", 5);
        sigmoidForward = new Kernel(context, "sigmoid", "sigmoid_forward", 3);
        sigmoidBackward = new Kernel(context, "sigmoid", "sigmoid_backward", 4);
        reluForward = new Kernel(context, "relu", "relu_forward", 3);
        reluBackward = new Kernel(context, "relu", "relu_backward", 4);
        tanhForward = new Kernel(context, "tanh", "tanh_forward", 3);
        tanhBackward = new Kernel(context, "tanh", "tanh_backward", 4);
        softmaxCrossEntropy = new Kernel(context, "softmax_cross_entropy", "softmax_cross_entropy", 8);
        columnSums = new Kernel(context, "column_sums", "column_sums", 6);
        sgdMomentum = new Kernel(context, "sgd_momentum", "sgd_momentum", 8);
        scaleMatrix = new Kernel(context, "scale_matrix", "scale_matrix", 6);
        leakyReluForward = new Kernel(context, "leaky_relu", "leaky_relu_forward", 4);
        leakyReluBackward = new Kernel(context, "leaky_relu", "leaky_relu_backward", 5);
        dropoutForward = new Kernel(context, "dropout", "dropout_forward", 7);
        dropoutBackward = new Kernel(context, "dropout", "dropout_backward", 4);
        batchNormTrain = new Kernel(context, "batch_norm", "batch_norm_forward_train", 12);
        batchNormEval = new Kernel(context, "batch_norm", "batch_norm_forward_eval", 11);
        batchNormBackward = new Kernel(context, "batch_norm", "batch_norm_backward", 10);
        logSoftmaxForward = new Kernel(context, "log_softmax", "log_softmax_forward", 4);
        logSoftmaxBackward = new Kernel(context, "log_softmax", "log_softmax_backward", 5);
        softmaxForward = new Kernel(context, "softmax", "softmax_forward", 4);
        softmaxBackward = new Kernel(context, "softmax", "softmax_backward", 5);
        for (DeviceKernels.RowLoss loss : DeviceKernels.RowLoss.values()) {
            rowLosses.put(loss, new Kernel(context, loss.entry(), loss.entry(), 7));
        }
    }

    /** x(r, c) += bias(c) for the rows×cols matrix x with row stride ldx. */
    public void biasAdd(int rows, int cols, DeviceBuffer x, int ldx, DeviceBuffer bias) {
        matrix("biasAdd", "x", x, rows, cols, ldx);
        vector("biasAdd", "bias", bias, cols);
        if (rows == 0 || cols == 0) return;
        biasAdd.set(0, rows).set(1, cols).set(2, x).set(3, ldx).set(4, bias)
                .launch(biasAdd.elementwise((long) rows * cols));
    }

    /** y = σ(z) = 1 / (1 + e^(−z)) for n floats (y may be z). */
    public void sigmoidForward(int n, DeviceBuffer z, DeviceBuffer y) {
        elementwise(sigmoidForward, n, z, "z", y, "y");
    }

    /** dz = dy·y·(1 − y), y the forward output (dz may be dy). */
    public void sigmoidBackward(int n, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        elementwise(sigmoidBackward, n, y, dy, dz);
    }

    /** y = max(z, 0) for n floats (y may be z). */
    public void reluForward(int n, DeviceBuffer z, DeviceBuffer y) {
        elementwise(reluForward, n, z, "z", y, "y");
    }

    /** dz = dy where y > 0, else 0; y the forward output (dz may be dy). */
    public void reluBackward(int n, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        elementwise(reluBackward, n, y, dy, dz);
    }

    /** y = tanh(z) for n floats (y may be z). */
    public void tanhForward(int n, DeviceBuffer z, DeviceBuffer y) {
        elementwise(tanhForward, n, z, "z", y, "y");
    }

    /** dz = dy·(1 − y²), y the forward output (dz may be dy). */
    public void tanhBackward(int n, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        elementwise(tanhBackward, n, y, dy, dz);
    }

    /**
     * Softmax and cross-entropy of rows×cols logits against targets (rows of a distribution, e.g.
     * one-hot), all with row stride cols: probs = softmax(z), rowLoss(r) = −Σ t·log p,
     * dlogits = (p − t)·gradScale (gradScale = 1/rows gives the gradient of the mean loss).
     */
    public void softmaxCrossEntropy(int rows, int cols, DeviceBuffer logits, DeviceBuffer targets, DeviceBuffer probs,
                                    DeviceBuffer rowLoss, DeviceBuffer dlogits, float gradScale) {
        String op = "softmaxCrossEntropy";
        matrix(op, "logits", logits, rows, cols, cols);
        matrix(op, "targets", targets, rows, cols, cols);
        matrix(op, "probs", probs, rows, cols, cols);
        matrix(op, "dlogits", dlogits, rows, cols, cols);
        vector(op, "rowLoss", rowLoss, rows);
        if (rows == 0) return;
        if (cols == 0) throw new IllegalArgumentException(op + ": no classes (cols=0)");
        softmaxCrossEntropy.set(0, rows).set(1, cols).set(2, logits).set(3, targets).set(4, probs).set(5, rowLoss)
                .set(6, dlogits).set(7, gradScale).launch(softmaxCrossEntropy.softmaxRows(rows, cols));
    }

    /** out(c) = Σ_r x(r, c) + beta·out(c) (beta = 0 overwrites): the bias gradient from the error terms. */
    public void columnSums(int rows, int cols, DeviceBuffer x, int ldx, float beta, DeviceBuffer out) {
        matrix("columnSums", "x", x, rows, cols, ldx);
        vector("columnSums", "out", out, cols);
        if (cols == 0) return;
        columnSums.set(0, rows).set(1, cols).set(2, x).set(3, ldx).set(4, beta).set(5, out)
                .launch(columnSums.elementwise(cols));
    }

    /**
     * One SGD step for n parameters, backprop.optim.Sgd's convention (PyTorch's heavy-ball momentum):
     * g ← g + λ₂·w + λ₁·sign(w), v ← μ·v + g, w ← w − lr·v; v starts at zeros, μ = 0 is plain SGD (v then
     * holds the last g). Pass l1 = l2 = 0 for parameters the penalty does not apply to (biases). From the
     * same w, g and v it gives Sgd's bits: the kernel computes the same fused multiply-adds.
     */
    public void sgdMomentum(int n, float learningRate, float momentum, float l1, float l2, DeviceBuffer w, DeviceBuffer g,
                            DeviceBuffer v) {
        vector("sgdMomentum", "w", w, n);
        vector("sgdMomentum", "g", g, n);
        vector("sgdMomentum", "v", v, n);
        if (n == 0) return;
        sgdMomentum.set(0, n).set(1, learningRate).set(2, momentum).set(3, l1).set(4, l2).set(5, w).set(6, g).set(7, v)
                .launch(sgdMomentum.elementwise(n));
    }

    /** C = beta·C for the m×n matrix at c[cOff + i·ldc + j] (beta = 0 writes zeros). */
    public void scale(int m, int n, float beta, DeviceBuffer c, int cOff, int ldc) {
        if (cOff < 0) throw new IllegalArgumentException("scale: negative offset " + cOff);
        if (c == null) throw new IllegalArgumentException("scale: buffer c is null");
        if (ldc < Math.max(1, n) || (long) cOff + SgemmArgs.span(m, n, ldc) > c.length()) {
            throw new IllegalArgumentException("scale: " + m + "x" + n + " at offset " + cOff + " with ldc=" + ldc
                    + " does not fit a buffer of " + c.length() + " floats");
        }
        if (m == 0 || n == 0) return;
        scaleMatrix.set(0, m).set(1, n).set(2, beta).set(3, c).set(4, cOff).set(5, ldc)
                .launch(scaleMatrix.elementwise((long) m * n));
    }

    /** y = z if z > 0 else slope·z for n floats (y may be z). */
    public void leakyReluForward(int n, float slope, DeviceBuffer z, DeviceBuffer y) {
        vector("leakyReluForward", "z", z, n);
        vector("leakyReluForward", "y", y, n);
        if (n == 0) return;
        leakyReluForward.set(0, n).set(1, slope).set(2, z).set(3, y).launch(leakyReluForward.elementwise(n));
    }

    /** dz = dy·(1 if z > 0 else slope), z the forward input (dz may be dy). */
    public void leakyReluBackward(int n, float slope, DeviceBuffer z, DeviceBuffer dy, DeviceBuffer dz) {
        vector("leakyReluBackward", "z", z, n);
        vector("leakyReluBackward", "dy", dy, n);
        vector("leakyReluBackward", "dz", dz, n);
        if (n == 0) return;
        leakyReluBackward.set(0, n).set(1, slope).set(2, z).set(3, dy).set(4, dz).launch(leakyReluBackward.elementwise(n));
    }

    /**
     * Inverted dropout: mask_i = [u_i ≥ p]/(1 − p), y = x·mask, u_i the (offset + i)-th nextDouble() of
     * {@code new SplittableRandom(seed)} (y may be x), with seed and offset read by the kernel from position
     * {@code streamIndex} of {@code stream} (written by {@link DropoutStream#write}): the caller advances the
     * offset by n there before the next call.
     */
    public void dropoutForward(int n, float p, DeviceBuffer stream, int streamIndex, DeviceBuffer x, DeviceBuffer mask,
                               DeviceBuffer y) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropoutForward: rate must be in [0, 1), got " + p);
        if (streamIndex < 0) throw new IllegalArgumentException("dropoutForward: negative stream index " + streamIndex);
        vector("dropoutForward", "stream", stream, (long) DropoutStream.FLOATS * (streamIndex + 1));
        vector("dropoutForward", "x", x, n);
        vector("dropoutForward", "mask", mask, n);
        vector("dropoutForward", "y", y, n);
        if (n == 0) return;
        dropoutForward.set(0, n).set(1, p).set(2, stream).set(3, streamIndex).set(4, x).set(5, mask).set(6, y)
                .launch(dropoutForward.elementwise(n));
    }

    /** dx = dy·mask for n floats (dx may be dy). */
    public void dropoutBackward(int n, DeviceBuffer mask, DeviceBuffer dy, DeviceBuffer dx) {
        elementwise(dropoutBackward, n, mask, dy, dx);
    }

    /** Batch norm's training forward (rows ≥ 2); see batch_norm.cu. */
    public void batchNormForwardTrain(int rows, int features, float eps, float momentum, DeviceBuffer x, DeviceBuffer gamma,
                                      DeviceBuffer beta, DeviceBuffer runningMean, DeviceBuffer runningVar,
                                      DeviceBuffer invStd, DeviceBuffer xHat, DeviceBuffer y) {
        String op = "batchNormForwardTrain";
        if (rows < 2) throw new IllegalArgumentException(op + ": a batch variance needs rows >= 2, got " + rows);
        batchNormShapes(op, rows, features, x, gamma, beta, runningMean, runningVar, invStd, xHat, y);
        batchNormTrain.set(0, rows).set(1, features).set(2, eps).set(3, momentum).set(4, x).set(5, gamma).set(6, beta)
                .set(7, runningMean).set(8, runningVar).set(9, invStd).set(10, xHat).set(11, y)
                .launch(batchNormTrain.elementwise(features));
    }

    /** Batch norm's evaluation forward with the running statistics; see batch_norm.cu. */
    public void batchNormForwardEval(int rows, int features, float eps, DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer beta,
                                     DeviceBuffer runningMean, DeviceBuffer runningVar, DeviceBuffer invStd,
                                     DeviceBuffer xHat, DeviceBuffer y) {
        String op = "batchNormForwardEval";
        batchNormShapes(op, rows, features, x, gamma, beta, runningMean, runningVar, invStd, xHat, y);
        if (rows == 0) return;
        batchNormEval.set(0, rows).set(1, features).set(2, eps).set(3, x).set(4, gamma).set(5, beta).set(6, runningMean)
                .set(7, runningVar).set(8, invStd).set(9, xHat).set(10, y).launch(batchNormEval.elementwise(features));
    }

    /** Batch norm's backward: dGamma, dBeta (overwritten) and dx; see batch_norm.cu. */
    public void batchNormBackward(int rows, int features, boolean training, DeviceBuffer dy, DeviceBuffer xHat,
                                  DeviceBuffer gamma, DeviceBuffer invStd, DeviceBuffer dGamma, DeviceBuffer dBeta,
                                  DeviceBuffer dx) {
        String op = "batchNormBackward";
        if (features < 1) throw new IllegalArgumentException(op + ": features must be >= 1, got " + features);
        matrix(op, "dy", dy, rows, features, features);
        matrix(op, "xHat", xHat, rows, features, features);
        matrix(op, "dx", dx, rows, features, features);
        vector(op, "gamma", gamma, features);
        vector(op, "invStd", invStd, features);
        vector(op, "dGamma", dGamma, features);
        vector(op, "dBeta", dBeta, features);
        batchNormBackward.set(0, rows).set(1, features).set(2, training ? 1 : 0).set(3, dy).set(4, xHat).set(5, gamma)
                .set(6, invStd).set(7, dGamma).set(8, dBeta).set(9, dx).launch(batchNormBackward.elementwise(features));
    }

    /** y = z − log Σ e^z a row of the rows×cols matrix z (row stride cols). */
    public void logSoftmaxForward(int rows, int cols, DeviceBuffer z, DeviceBuffer y) {
        rows("logSoftmaxForward", rows, cols, z, y, y);
        if (rows == 0) return;
        logSoftmaxForward.set(0, rows).set(1, cols).set(2, z).set(3, y).launch(logSoftmaxForward.softmaxRows(rows, cols));
    }

    /** dz = dy − e^y·Σ_row dy, y the forward output. */
    public void logSoftmaxBackward(int rows, int cols, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        rows("logSoftmaxBackward", rows, cols, y, dy, dz);
        if (rows == 0) return;
        logSoftmaxBackward.set(0, rows).set(1, cols).set(2, y).set(3, dy).set(4, dz)
                .launch(logSoftmaxBackward.softmaxRows(rows, cols));
    }

    /** y = e^(z − max z)·(1/Σ e^(z − max z)) a row of the rows×cols matrix z (row stride cols): the Softmax layer. */
    public void softmaxForward(int rows, int cols, DeviceBuffer z, DeviceBuffer y) {
        rows("softmaxForward", rows, cols, z, y, y);
        if (rows == 0) return;
        softmaxForward.set(0, rows).set(1, cols).set(2, z).set(3, y).launch(softmaxForward.softmaxRows(rows, cols));
    }

    /** dz = y·(dy − Σ_row dy·y), y the forward output. */
    public void softmaxBackward(int rows, int cols, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        rows("softmaxBackward", rows, cols, y, dy, dz);
        if (rows == 0) return;
        softmaxBackward.set(0, rows).set(1, cols).set(2, y).set(3, dy).set(4, dz).launch(softmaxBackward.softmaxRows(rows, cols));
    }

    /**
     * rowLoss(r) and grad = ∂E/∂prediction for rows×cols predictions: {@link DeviceKernels.RowLoss} says which sum
     * and gradient; target is rows×cols, or one class index a row (as a float) for NLL and the hinge, which
     * the caller has checked are in [0, cols).
     */
    public void rowLoss(DeviceKernels.RowLoss loss, int rows, int cols, DeviceBuffer prediction, DeviceBuffer target,
                        float gradScale, DeviceBuffer rowLoss, DeviceBuffer grad) {
        String op = "rowLoss(" + loss + ")";
        matrix(op, "prediction", prediction, rows, cols, Math.max(1, cols));
        matrix(op, "grad", grad, rows, cols, Math.max(1, cols));
        vector(op, "target", target, loss.classIndices() ? rows : (long) rows * cols);
        vector(op, "rowLoss", rowLoss, rows);
        if (rows == 0) return;
        if (cols == 0) throw new IllegalArgumentException(op + ": no outputs (cols=0)");
        Kernel k = rowLosses.get(loss);
        k.set(0, rows).set(1, cols).set(2, prediction).set(3, target).set(4, gradScale).set(5, rowLoss).set(6, grad)
                .launch(k.elementwise(rows));
    }

    private static void batchNormShapes(String op, int rows, int features, DeviceBuffer x, DeviceBuffer gamma,
                                        DeviceBuffer beta, DeviceBuffer runningMean, DeviceBuffer runningVar,
                                        DeviceBuffer invStd, DeviceBuffer xHat, DeviceBuffer y) {
        if (features < 1) throw new IllegalArgumentException(op + ": features must be >= 1, got " + features);
        matrix(op, "x", x, rows, features, features);
        matrix(op, "xHat", xHat, rows, features, features);
        matrix(op, "y", y, rows, features, features);
        vector(op, "gamma", gamma, features);
        vector(op, "beta", beta, features);
        vector(op, "runningMean", runningMean, features);
        vector(op, "runningVar", runningVar, features);
        vector(op, "invStd", invStd, features);
    }

    private static void rows(String op, int rows, int cols, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c) {
        if (rows > 0 && cols < 1) throw new IllegalArgumentException(op + ": no columns (cols=" + cols + ")");
        matrix(op, "input", a, rows, cols, Math.max(1, cols));
        matrix(op, "dy", b, rows, cols, Math.max(1, cols));
        matrix(op, "output", c, rows, cols, Math.max(1, cols));
    }

    private static void elementwise(Kernel k, int n, DeviceBuffer in, String inName, DeviceBuffer out, String outName) {
        vector(k.name(), inName, in, n);
        vector(k.name(), outName, out, n);
        if (n == 0) return;
        k.set(0, n).set(1, in).set(2, out).launch(k.elementwise(n));
    }

    private static void elementwise(Kernel k, int n, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        vector(k.name(), "y", y, n);
        vector(k.name(), "dy", dy, n);
        vector(k.name(), "dz", dz, n);
        if (n == 0) return;
        k.set(0, n).set(1, y).set(2, dy).set(3, dz).launch(k.elementwise(n));
    }

    private static void vector(String op, String name, DeviceBuffer x, long n) {
        if (n < 0) throw new IllegalArgumentException(op + ": negative size " + n);
        if (x == null) throw new IllegalArgumentException(op + ": buffer " + name + " is null");
        if (x.length() < n) {
            throw new IllegalArgumentException(op + ": buffer " + name + " holds " + x.length() + " floats, needs " + n);
        }
    }

    private static void matrix(String op, String name, DeviceBuffer x, int rows, int cols, int ld) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException(op + ": negative size " + rows + "x" + cols);
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(op + ": " + name + " row stride " + ld + " is less than its " + cols + " columns");
        }
        vector(op, name, x, SgemmArgs.span(rows, cols, ld));
    }
}
