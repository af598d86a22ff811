package cuda;

/**
 * SGEMM on the GPU with kernels.Sgemm's contract: {@code C = alpha·op(A)·op(B) + beta·C}, CBLAS
 * row-major with offsets and leading dimensions, beta = 0 overwriting C, any m, n, k ≥ 0; alpha = 0 or
 * k = 0 reads neither A nor B (C = beta·C, by the scale_matrix kernel).
 *
 * <p>Two forms: host arrays in and out ({@link #sgemm(boolean, boolean, int, int, int, float, float[], int, int,
 * float[], int, int, float, float[], int, int)}: copies the spans of A, B, C up, launches, copies C down,
 * for tests and one-off products), and device buffers ({@link #sgemm(boolean, boolean, int, int, int, float,
 * DeviceBuffer, int, int, DeviceBuffer, int, int, float, DeviceBuffer, int, int)}: queues the kernel and
 * returns, for data that stays on the GPU). The staging buffers of the host form grow as needed and are
 * reused. Not thread-safe: one instance per thread.
 */
public final class CudaSgemm implements AutoCloseable {
    private final CudaContext context;
    private final SgemmVersion version;
    private final Kernel gemm;
    private final Kernel scale;
    private final Kernel reduce;       // v7's sum of the slices; null for the other versions
    private DeviceBuffer workspace;    // v7's partial sums, [slices][m][n], grown on demand
    /**
     * Workspaces a larger product replaced: a captured graph may still point at one (a graph records
     * pointers by value), so they are freed only by {@link #close}.
     */
    private final java.util.List<DeviceBuffer> retiredWorkspaces = new java.util.ArrayList<>();
    private DeviceBuffer stageA, stageB, stageC;

    /**
     * Throws {@link GpuUnavailableException} (with the probe's reason) when there is no GPU, and
     * {@link UnsupportedOperationException} when the GPU is older than the version needs ({@link SgemmVersion#unsupportedOn}).
     */
    public CudaSgemm(SgemmVersion version) {
        this(Gpu.context(), version);
    }

    public CudaSgemm(CudaContext context, SgemmVersion version) {
        String why = version.unsupportedOn(context.computeCapability());
        if (why != null) throw new UnsupportedOperationException(why + " (pick another with -D" + CudaKernels.SGEMM_PROPERTY + ")");
        this.context = context;
        this.version = version;
        this.gemm = new Kernel(context, version.entry(), version.entry(), 16);
        this.scale = new Kernel(context, "scale_matrix", "scale_matrix", 6);
        this.reduce = version == SgemmVersion.V7_SPLIT_K ? new Kernel(context, version.entry(), SgemmVersion.V7_REDUCE, 9) : null;
    }

    public SgemmVersion version() {
        return version;
    }

    /** Host arrays in and out; returns when C holds the result. */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        SgemmArgs.check(transA, transB, m, n, k, length(a), aOff, lda, length(b), bOff, ldb, length(c), cOff, ldc);
        if (m == 0 || n == 0) return;
        boolean readsAB = k > 0 && alpha != 0f;
        int spanC = (int) SgemmArgs.span(m, n, ldc);
        stageC = staged(stageC, spanC);
        // C goes up unless every float of its span is overwritten (beta = 0 and no padding between rows).
        if (beta != 0f || ldc != n) stageC.copyFromHost(c, cOff, 0, spanC);
        if (readsAB) {
            int spanA = (int) SgemmArgs.span(transA ? k : m, transA ? m : k, lda);
            int spanB = (int) SgemmArgs.span(transB ? n : k, transB ? k : n, ldb);
            stageA = staged(stageA, spanA);
            stageB = staged(stageB, spanB);
            stageA.copyFromHost(a, aOff, 0, spanA);
            stageB.copyFromHost(b, bOff, 0, spanB);
        }
        sgemm(transA, transB, m, n, k, alpha, readsAB ? stageA : null, 0, lda, readsAB ? stageB : null, 0, ldb,
                beta, stageC, 0, ldc);
        stageC.copyToHost(0, c, cOff, spanC);
    }

    /**
     * Device buffers: queues C = alpha·op(A)·op(B) + beta·C on the GPU and returns. A and B may be null
     * when alpha = 0 or k = 0 (they are not read).
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      DeviceBuffer a, int aOff, int lda, DeviceBuffer b, int bOff, int ldb,
                      float beta, DeviceBuffer c, int cOff, int ldc) {
        boolean readsAB = k > 0 && alpha != 0f;
        SgemmArgs.check(transA, transB, m, n, k, readsAB ? length(a) : Long.MAX_VALUE, aOff, lda,
                readsAB ? length(b) : Long.MAX_VALUE, bOff, ldb, length(c), cOff, ldc);
        if (m == 0 || n == 0) return;
        if (!readsAB) {
            // C = beta·C (beta = 0 writes zeros): BLAS reads neither A nor B here, so NaN in them cannot leak.
            scale.set(0, m).set(1, n).set(2, beta).set(3, c).set(4, cOff).set(5, ldc)
                    .launch(scale.elementwise((long) m * n));
            return;
        }
        gemm.set(0, transA ? 1 : 0).set(1, transB ? 1 : 0).set(2, m).set(3, n).set(4, k).set(5, alpha)
                .set(6, a).set(7, aOff).set(8, lda).set(9, b).set(10, bOff).set(11, ldb).set(12, beta);
        int slices = version.slices(m, n, k, context.multiprocessors());
        if (slices == 1) {
            gemm.set(13, c).set(14, cOff).set(15, ldc).launch(gemm.sgemm(version, m, n, 1));
            return;
        }
        // v7: the slices' partial sums into the workspace, then C = alpha·Σ_z W_z + beta·C in slice order
        long floats = (long) slices * m * n;
        if (floats > Integer.MAX_VALUE) throw new IllegalArgumentException("split-k workspace of " + floats + " floats is too large");
        if (workspace == null || workspace.length() < floats) {
            if (workspace != null) retiredWorkspaces.add(workspace);
            workspace = DeviceBuffer.allocate(context, floats);
        }
        gemm.set(13, workspace).set(14, 0).set(15, n).launch(gemm.sgemm(version, m, n, slices));
        reduce.set(0, m).set(1, n).set(2, slices).set(3, workspace).set(4, alpha).set(5, beta).set(6, c).set(7, cOff).set(8, ldc)
                .launch(reduce.elementwise((long) m * n));
    }

    private DeviceBuffer staged(DeviceBuffer current, int floats) {
        if (current != null && current.length() >= floats) return current;
        if (current != null) current.close();
        return DeviceBuffer.allocate(context, Math.max(1, floats));
    }

    private static long length(float[] x) {
        return x == null ? -1 : x.length;
    }

    private static long length(DeviceBuffer x) {
        return x == null ? -1 : x.length();
    }

    /** Frees the staging buffers. */
    @Override
    public void close() {
        for (DeviceBuffer s : new DeviceBuffer[] {stageA, stageB, stageC, workspace}) {
            if (s != null) s.close();
        }
        stageA = stageB = stageC = workspace = null;
        for (DeviceBuffer w : retiredWorkspaces) w.close();
        retiredWorkspaces.clear();
    }
}
