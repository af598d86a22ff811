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
            tanhBackward, softmaxCrossEntropy, columnSums, sgdMomentum, scaleMatrix;

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
