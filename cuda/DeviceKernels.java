package cuda;

/**
 * The device operations a training step of {@link GpuMlp} is made of, over buffers of type {@code B}:
 * the kernels of cuda/*.cu and the copies between host and device. {@link GpuMlp} is written once
 * against this interface; {@link CudaKernels} runs it on the GPU ({@code B} = {@link DeviceBuffer}), and
 * a float[] twin of each kernel in the tests ({@code HostKernels}) runs the same step on the CPU, so
 * the mirror's bookkeeping (shapes, transposes, leading dimensions, order, frozen layers, the copies
 * back) is tested on a machine without a GPU.
 *
 * <p>Matrices are row-major, a sample a row, with no padding (the leading dimension is the column
 * count) except where an argument says otherwise. Every operation is queued in order; a
 * {@link #download} waits for everything queued before it.
 *
 * <p>One instance is one <em>call site</em>: CUDA kernels keep their argument slots between calls, so a
 * site that always passes the same buffers allocates nothing per call (see {@link CudaOps}). Get one
 * site per place in the step from {@link #newCallSite}.
 */
public interface DeviceKernels<B> extends AutoCloseable {
    /** The hidden activations that have kernels. */
    enum Activation { SIGMOID, TANH, RELU }

    /** Another call site on the same device. */
    DeviceKernels<B> newCallSite();

    /** floats ≥ 1 floats of device memory, contents undefined. */
    B allocate(int floats);

    /** Frees a buffer of {@link #allocate}. */
    void free(B buffer);

    /** dst[0, count) = src[srcOff, srcOff + count). */
    void upload(float[] src, int srcOff, B dst, int count);

    /** dst[0, count) = src[0, count), after every queued operation has finished. */
    void download(B src, float[] dst, int count);

    /**
     * Queues dst[0, count) = src[srcOff, srcOff + count) and returns without waiting for the copy: src may
     * be reused at once (it is copied into a staging buffer of this call site, of which there are two,
     * used in turn). The copy may run beside operations queued before it (so dst must not be one they
     * use); every operation queued after it sees dst's new contents.
     */
    void uploadAsync(float[] src, int srcOff, B dst, int count);

    /**
     * Queues a copy of src[0, count) into this call site's host staging slot {@code slot} (0 or 1), behind
     * everything queued before it; {@link #awaitDownload} reads it.
     */
    void downloadLater(B src, int count, int slot);

    /** Waits for the copy {@link #downloadLater} queued into {@code slot}; dst[0, count) = its values. */
    void awaitDownload(int slot, float[] dst, int count);

    /** A recorded sequence of operations, queued again by each {@link #launch} (a CUDA graph). */
    interface Graph extends AutoCloseable {
        void launch();

        @Override
        void close();
    }

    /**
     * Records the operations that {@code operations} queues through the call sites of this device into a
     * {@link Graph}, without running them. Their arguments are recorded by value (sizes, buffers, scalars
     * such as the learning rate): a graph replays its capture, so a change needs a new capture.
     */
    Graph capture(Runnable operations);

    /** buffer[0, count) = 0. */
    void zero(B buffer, int count);

    /** C = alpha·op(A)·op(B) + beta·C (beta = 0 overwrites), kernels.Sgemm's contract with offsets 0. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, B a, int lda, B b, int ldb,
               float beta, B c, int ldc);

    /** x(r, c) += bias(c) for the rows×cols matrix x. */
    void biasAdd(int rows, int cols, B x, B bias);

    /** y = f(z) for n floats. */
    void activationForward(Activation f, int n, B z, B y);

    /** dz = dy·f'(z), from the forward output y, for n floats. */
    void activationBackward(Activation f, int n, B y, B dy, B dz);

    /** probs = softmax(z) a row, rowLoss(r) = −Σ t·log p, dlogits = (p − t)·gradScale (rows×cols, row-major). */
    void softmaxCrossEntropy(int rows, int cols, B logits, B targets, B probs, B rowLoss, B dlogits, float gradScale);

    /** out(c) = Σ_r x(r, c) for the rows×cols matrix x (overwrites out). */
    void columnSums(int rows, int cols, B x, B out);

    /** g ← g + λ₂·w + λ₁·sign(w), v ← μ·v + g, w ← w − lr·v for n parameters (backprop.optim.Sgd's step). */
    void sgdMomentum(int n, float learningRate, float momentum, float l1, float l2, B w, B g, B v);

    /** y = z if z > 0 else slope·z for n floats. */
    void leakyReluForward(int n, float slope, B z, B y);

    /** dz = dy·(1 if z > 0 else slope), from the forward input z, for n floats. */
    void leakyReluBackward(int n, float slope, B z, B dy, B dz);

    /**
     * Inverted dropout of n floats with rate p: mask_i = [u_i ≥ p]/(1 − p), y = x·mask, u_i the
     * (offset + i)-th nextDouble() of {@code new java.util.SplittableRandom(seed)} (backprop.layers.Dropout's stream),
     * seed and offset read on the device from position {@code streamIndex} of {@code stream} ({@link DropoutStream}).
     */
    void dropoutForward(int n, float p, B stream, int streamIndex, B x, B mask, B y);

    /** dx = dy·mask for n floats. */
    void dropoutBackward(int n, B mask, B dy, B dx);

    /**
     * Batch norm's training forward over a rows×features batch (rows ≥ 2): y = γ·x̂ + β with the batch mean and
     * biased variance, x̂ and invStd = 1/√(σ² + eps) kept for backward, running statistics updated with momentum
     * (the variance unbiased), as backprop.layers.BatchNorm.
     */
    void batchNormForwardTrain(int rows, int features, float eps, float momentum, B x, B gamma, B beta, B runningMean,
                               B runningVar, B invStd, B xHat, B y);

    /** Batch norm's evaluation forward with the running statistics: y, x̂ and invStd = 1/√(running_var + eps). */
    void batchNormForwardEval(int rows, int features, float eps, B x, B gamma, B beta, B runningMean, B runningVar,
                              B invStd, B xHat, B y);

    /** Batch norm's backward: dGamma = Σ dy·x̂, dBeta = Σ dy (overwritten) and dx, in training or evaluation form. */
    void batchNormBackward(int rows, int features, boolean training, B dy, B xHat, B gamma, B invStd, B dGamma, B dBeta,
                           B dx);

    /** y = z − log Σ e^z a row of the rows×cols matrix z. */
    void logSoftmaxForward(int rows, int cols, B z, B y);

    /** dz = dy − e^y·Σ_row dy, from the forward output y. */
    void logSoftmaxBackward(int rows, int cols, B y, B dy, B dz);

    /** y = e^(z − max z)·(1/Σ e^(z − max z)) a row of the rows×cols matrix z. */
    void softmaxForward(int rows, int cols, B z, B y);

    /** dz = y·(dy − Σ_row dy·y), from the forward output y. */
    void softmaxBackward(int rows, int cols, B y, B dy, B dz);

    /**
     * The losses whose kernel writes a per-row sum and the gradient: (rows, cols, prediction, target, gradScale,
     * rowLoss, grad). The loss is lossScale·Σ_r rowLoss(r), summed on the host in double; see each kernel's .cu.
     */
    enum RowLoss {
        /** rowLoss = Σ (t − p)², grad = (p − t)·gradScale (mse, mse_half, sse). */
        SQUARED_ERROR("squared_error"),
        /** rowLoss = Σ |p − t|, grad = sign(p − t)·gradScale (l1). */
        L1("l1_loss"),
        /** rowLoss = Σ max(z, 0) − z·y + log(1 + e^(−|z|)), grad = (σ(z) − y)·gradScale (bce_logits). */
        BCE_WITH_LOGITS("bce_with_logits"),
        /** rowLoss = −logp(r, t_r), grad = gradScale·[c = t_r], targets one class index a row (nll). */
        NLL("nll_loss"),
        /** rowLoss = Σ_{c≠t} max(0, s_c − s_t + 1), grad its subgradient ·gradScale, targets one index a row (hinge). */
        MULTICLASS_HINGE("multiclass_hinge");

        private final String entry;

        RowLoss(String entry) { this.entry = entry; }

        /** The kernel's module and entry name (cuda/&lt;entry&gt;.cu). */
        public String entry() { return entry; }

        /** True when the target is one class index a row, not a rows×cols matrix. */
        public boolean classIndices() { return this == NLL || this == MULTICLASS_HINGE; }
    }

    /** rowLoss(r) and grad for the rows×cols prediction and its target, as {@link RowLoss} says. */
    void rowLoss(RowLoss loss, int rows, int cols, B prediction, B target, float gradScale, B rowLoss, B grad);

    /** Releases what this call site holds (not the buffers it allocated: {@link #free} those). */
    @Override
    void close();
}
