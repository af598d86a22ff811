package cuda;

import java.util.List;

/**
 * {@link DeviceKernels} on the GPU: {@link CudaOps} and {@link CudaSgemm} on {@link DeviceBuffer}s.
 * Each call site has its own kernels (their argument slots stay set between steps) and its own SGEMM,
 * whose version is chosen for the shape of its first product ({@link SgemmVersion#forShape}, or the
 * one named by {@code -Dnabla.cuda.sgemm=v2}); later products at that site (the shorter last batch of an
 * epoch) use the same version.
 */
public final class CudaKernels implements DeviceKernels<DeviceBuffer> {
    /** System property naming the SGEMM version of every product (v1..v5 or an entry name); default: by shape. */
    public static final String SGEMM_PROPERTY = "nabla.cuda.sgemm";

    private final CudaContext context;
    private final SgemmVersion fixedVersion;  // null: by shape, or the system property
    private final CudaOps ops;
    private CudaSgemm sgemm;
    /** Pinned staging for uploadAsync (used in turn) and downloadLater (by slot), grown on demand. */
    private final PinnedFloats[] uploads = new PinnedFloats[2];
    private final PinnedFloats[] downloads = new PinnedFloats[2];
    private int nextUpload;

    /** A first call site on the probed GPU; throws {@link GpuUnavailableException} without one. */
    public CudaKernels() {
        this(Gpu.context());
    }

    public CudaKernels(CudaContext context) {
        this(context, null);
    }

    /** Call sites whose every product uses {@code version} (null: chosen by shape, or by the system property). */
    public CudaKernels(CudaContext context, SgemmVersion version) {
        this.context = context;
        this.fixedVersion = version;
        this.ops = new CudaOps(context);
    }

    @Override
    public CudaKernels newCallSite() {
        return new CudaKernels(context, fixedVersion);
    }

    @Override
    public DeviceBuffer allocate(int floats) {
        return DeviceBuffer.allocate(context, floats);
    }

    @Override
    public void free(DeviceBuffer buffer) {
        buffer.close();
    }

    @Override
    public void upload(float[] src, int srcOff, DeviceBuffer dst, int count) {
        dst.copyFromHost(src, srcOff, 0, count);
    }

    @Override
    public void download(DeviceBuffer src, float[] dst, int count) {
        src.copyToHost(0, dst, 0, count);
    }

    @Override
    public void uploadAsync(float[] src, int srcOff, DeviceBuffer dst, int count) {
        if (count == 0) return;
        if (srcOff < 0 || count < 0 || (long) srcOff + count > src.length || count > dst.length()) {
            throw new IllegalArgumentException("uploadAsync: " + count + " floats at host offset " + srcOff + " (array of " + src.length
                    + ") into a buffer of " + dst.length() + " floats is out of range");
        }
        int slot = nextUpload;
        nextUpload ^= 1;
        staging(uploads, slot, count).upload(src, srcOff, count, dst);
    }

    @Override
    public void downloadLater(DeviceBuffer src, int count, int slot) {
        if (count < 1 || count > src.length()) {
            throw new IllegalArgumentException("downloadLater: " + count + " floats from a buffer of " + src.length());
        }
        staging(downloads, slot, count).downloadLater(src, count);
    }

    @Override
    public void awaitDownload(int slot, float[] dst, int count) {
        PinnedFloats p = downloads[slot];
        if (p == null || count > p.capacity()) throw new IllegalStateException("awaitDownload: no copy of " + count + " floats queued in slot " + slot);
        p.read(dst, count);
    }

    /** The staging buffer of a slot, replaced by a larger one (after its last copy) when count does not fit. */
    private PinnedFloats staging(PinnedFloats[] slots, int slot, int count) {
        PinnedFloats p = slots[slot];
        if (p == null || p.capacity() < count) {
            if (p != null) p.close();
            p = new PinnedFloats(context, count);
            slots[slot] = p;
        }
        return p;
    }

    @Override
    public Graph capture(Runnable operations) {
        if (context.syncAfterLaunch()) {
            // nabla.cuda.sync: a capture cannot synchronize, so "replaying" runs the operations again, each checked
            return new Graph() {
                @Override public void launch() { operations.run(); }
                @Override public void close() { }
            };
        }
        CudaGraph graph = context.capture(operations);
        return new Graph() {
            @Override public void launch() { graph.launch(); }
            @Override public void close() { graph.close(); }
        };
    }

    @Override
    public void zero(DeviceBuffer buffer, int count) {
        buffer.zero(0, count);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, int lda,
                      DeviceBuffer b, int ldb, float beta, DeviceBuffer c, int ldc) {
        if (sgemm == null) {
            String named = System.getProperty(SGEMM_PROPERTY);
            SgemmVersion v = fixedVersion != null ? fixedVersion
                    : named != null ? SgemmVersion.parse(named) : SgemmVersion.forShape(m, n, context.multiprocessors());
            sgemm = new CudaSgemm(context, v);
        }
        sgemm.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
    }

    /** The stream this device's operations go to. */
    jcuda.driver.CUstream stream() {
        return context.stream();
    }

    /** The SGEMM version this site uses (null before its first product). */
    public SgemmVersion sgemmVersion() {
        return sgemm == null ? null : sgemm.version();
    }

    @Override
    public void biasAdd(int rows, int cols, DeviceBuffer x, DeviceBuffer bias) {
        ops.biasAdd(rows, cols, x, cols, bias);
    }

    @Override
    public void activationForward(Activation f, int n, DeviceBuffer z, DeviceBuffer y) {
        switch (f) {
            case SIGMOID -> ops.sigmoidForward(n, z, y);
            case TANH -> ops.tanhForward(n, z, y);
            case RELU -> ops.reluForward(n, z, y);
        }
    }

    @Override
    public void activationBackward(Activation f, int n, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        switch (f) {
            case SIGMOID -> ops.sigmoidBackward(n, y, dy, dz);
            case TANH -> ops.tanhBackward(n, y, dy, dz);
            case RELU -> ops.reluBackward(n, y, dy, dz);
        }
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, DeviceBuffer logits, DeviceBuffer targets, DeviceBuffer probs,
                                    DeviceBuffer rowLoss, DeviceBuffer dlogits, float gradScale) {
        ops.softmaxCrossEntropy(rows, cols, logits, targets, probs, rowLoss, dlogits, gradScale);
    }

    @Override
    public void columnSums(int rows, int cols, DeviceBuffer x, DeviceBuffer out) {
        ops.columnSums(rows, cols, x, cols, 0f, out);
    }

    @Override
    public void sgdMomentum(int n, float learningRate, float momentum, float l1, float l2, DeviceBuffer w, DeviceBuffer g,
                            DeviceBuffer v) {
        ops.sgdMomentum(n, learningRate, momentum, l1, l2, w, g, v);
    }

    @Override
    public void leakyReluForward(int n, float slope, DeviceBuffer z, DeviceBuffer y) {
        ops.leakyReluForward(n, slope, z, y);
    }

    @Override
    public void leakyReluBackward(int n, float slope, DeviceBuffer z, DeviceBuffer dy, DeviceBuffer dz) {
        ops.leakyReluBackward(n, slope, z, dy, dz);
    }

    @Override
    public void dropoutForward(int n, float p, DeviceBuffer stream, int streamIndex, DeviceBuffer x, DeviceBuffer mask,
                               DeviceBuffer y) {
        ops.dropoutForward(n, p, stream, streamIndex, x, mask, y);
    }

    @Override
    public void dropoutBackward(int n, DeviceBuffer mask, DeviceBuffer dy, DeviceBuffer dx) {
        ops.dropoutBackward(n, mask, dy, dx);
    }

    @Override
    public void batchNormForwardTrain(int rows, int features, float eps, float momentum, DeviceBuffer x, DeviceBuffer gamma,
                                      DeviceBuffer beta, DeviceBuffer runningMean, DeviceBuffer runningVar,
                                      DeviceBuffer invStd, DeviceBuffer xHat, DeviceBuffer y) {
        ops.batchNormForwardTrain(rows, features, eps, momentum, x, gamma, beta, runningMean, runningVar, invStd, xHat, y);
    }

    @Override
    public void batchNormForwardEval(int rows, int features, float eps, DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer beta,
                                     DeviceBuffer runningMean, DeviceBuffer runningVar, DeviceBuffer invStd,
                                     DeviceBuffer xHat, DeviceBuffer y) {
        ops.batchNormForwardEval(rows, features, eps, x, gamma, beta, runningMean, runningVar, invStd, xHat, y);
    }

    @Override
    public void batchNormBackward(int rows, int features, boolean training, DeviceBuffer dy, DeviceBuffer xHat,
                                  DeviceBuffer gamma, DeviceBuffer invStd, DeviceBuffer dGamma, DeviceBuffer dBeta,
                                  DeviceBuffer dx) {
        ops.batchNormBackward(rows, features, training, dy, xHat, gamma, invStd, dGamma, dBeta, dx);
    }

    @Override
    public void logSoftmaxForward(int rows, int cols, DeviceBuffer z, DeviceBuffer y) {
        ops.logSoftmaxForward(rows, cols, z, y);
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        ops.logSoftmaxBackward(rows, cols, y, dy, dz);
    }

    @Override
    public void softmaxForward(int rows, int cols, DeviceBuffer z, DeviceBuffer y) {
        ops.softmaxForward(rows, cols, z, y);
    }

    @Override
    public void softmaxBackward(int rows, int cols, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
        ops.softmaxBackward(rows, cols, y, dy, dz);
    }

    @Override
    public void rowLoss(RowLoss loss, int rows, int cols, DeviceBuffer prediction, DeviceBuffer target, float gradScale,
                        DeviceBuffer rowLoss, DeviceBuffer grad) {
        ops.rowLoss(loss, rows, cols, prediction, target, gradScale, rowLoss, grad);
    }

    @Override
    public void close() {
        if (sgemm != null) sgemm.close();
        for (PinnedFloats[] slots : List.of(uploads, downloads)) {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null) slots[i].close();
                slots[i] = null;
            }
        }
    }
}
