package cuda;

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
    public void close() {
        if (sgemm != null) sgemm.close();
    }
}
