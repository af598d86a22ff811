package cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import kernels.Sgemm;

/**
 * Every SGEMM version on the GPU against kernels.Sgemm.ref on awkward sizes, all four transpose cases,
 * non-trivial alpha and beta, offsets and padded leading dimensions (aligned, so the float4 paths run,
 * and misaligned, so their scalar fallbacks run). Skipped without a GPU.
 *
 * <p>Tolerance: each of the two results (GPU, ref) is within (k + 3)·u·S of the exact value, where
 * S = |alpha|·Σ_p |a_ip·b_pj| + |beta·c_ij| and u = 2^-24 (k roundings in the dot product, then
 * alpha's product, beta's product and the add: the first-order bound of Higham §3.1, the same whichever
 * order the k terms are added in). Their difference is therefore within 2·(k + 3)·u·S = (k + 3)·ε·S,
 * computed per element; a correct kernel cannot fail it whatever the data.
 */
class CudaSgemmGpuTest {
    private static final double EPS = Math.ulp(1f);

    // Per test, not @BeforeAll, so that a run without a GPU reports each test as skipped.
    @BeforeEach
    void needsGpu() {
        assumeTrue(Gpu.available(), () -> "no GPU: " + Gpu.probe().reason());
        Gpu.context().setSyncAfterLaunch(true);  // a fault is reported with its kernel's name
    }

    /** The context is the JVM's one: later test classes (a training step captured as a graph) must not inherit the sync. */
    @AfterEach
    void noSync() {
        if (Gpu.available()) Gpu.context().setSyncAfterLaunch(false);
    }

    record Layout(int ldPad, int aOff, int bOff, int cOff, float alpha, float beta) {}

    static final Layout[] LAYOUTS = {
        new Layout(0, 0, 0, 0, 1f, 0f),           // tight, C = A·B
        new Layout(3, 1, 2, 3, -1.5f, 0.5f),      // misaligned offsets and ld: scalar fallbacks
        new Layout(4, 4, 8, 12, 0.75f, -2f),      // 16-byte aligned offsets and ld (multiple of 4): float4 paths
    };

    static Stream<int[]> sizes(SgemmVersion v) {
        int r = v.tileRows(), c = v.tileCols();
        return Stream.of(new int[] {1, 1, 1}, new int[] {17, 33, 9}, new int[] {r - 1 > 0 ? r - 1 : 1, c + 1, 17},
                new int[] {r + 1, c - 1, 31}, new int[] {2 * r + 3, 2 * c + 5, 67}, new int[] {5, 3, 0},
                new int[] {1, c + 3, 7}, new int[] {r + 2, 1, 5}, new int[] {130, 10, 128}, new int[] {64, 64, 64},
                new int[] {100, 70, 1000});  // v7: 12 tiles, 11 slices of k on 132 SMs
    }

    @ParameterizedTest
    @EnumSource(SgemmVersion.class)
    void matchesRefOnAwkwardSizes(SgemmVersion v) {
        runsOnThisGpu(v);
        SplittableRandom random = new SplittableRandom(v.ordinal());
        try (CudaSgemm gpu = new CudaSgemm(v)) {
            sizes(v).forEach(s -> {
                for (int t = 0; t < 4; t++) {
                    for (Layout layout : LAYOUTS) check(gpu, t % 2 == 1, t >= 2, s[0], s[1], s[2], layout, random);
                }
            });
        }
    }

    /** v8's cp.async needs sm_80: on an older GPU its tests are skipped (and CudaSgemm refuses it, tested below). */
    private static void runsOnThisGpu(SgemmVersion v) {
        String why = v.unsupportedOn(Gpu.context().computeCapability());
        assumeTrue(why == null, () -> why);
    }

    private static int ld(int cols, Layout l) {
        return l.ldPad == 4 ? (cols + 3) / 4 * 4 + 4 : Math.max(1, cols) + l.ldPad;
    }

    private static float[] random(int n, SplittableRandom random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(-1, 1);
        return x;
    }

    static void check(CudaSgemm gpu, boolean tA, boolean tB, int m, int n, int k, Layout l, SplittableRandom random) {
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = ld(aCols, l), ldb = ld(bCols, l), ldc = ld(n, l);
        float[] a = random(l.aOff + Math.max(1, aRows * lda), random);
        float[] b = random(l.bOff + Math.max(1, bRows * ldb), random);
        float[] c = random(l.cOff + Math.max(1, m * ldc), random);
        if (l.beta == 0f) {
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[l.cOff + i * ldc + j] = Float.NaN;
        }
        float[] expected = c.clone(), got = c.clone();
        Sgemm.ref(tA, tB, m, n, k, l.alpha, a, l.aOff, lda, b, l.bOff, ldb, l.beta, expected, l.cOff, ldc);
        gpu.sgemm(tA, tB, m, n, k, l.alpha, a, l.aOff, lda, b, l.bOff, ldb, l.beta, got, l.cOff, ldc);
        String what = gpu.version() + " " + (tA ? "T" : "N") + (tB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " " + l;
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - l.cOff;
            boolean element = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!element) {
                if (Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(c[idx])) {
                    fail(what + ": wrote outside C at index " + idx);
                }
                continue;
            }
            int i = rel / ldc, j = rel % ldc;
            double s = 0;
            for (int p = 0; p < k; p++) {
                double aip = tA ? a[l.aOff + p * lda + i] : a[l.aOff + i * lda + p];
                double bpj = tB ? b[l.bOff + j * ldb + p] : b[l.bOff + p * ldb + j];
                s += Math.abs(aip * bpj);
            }
            double scale = Math.abs(l.alpha) * s + (l.beta == 0f ? 0 : Math.abs(l.beta * c[idx]));
            double tolerance = (k + 3) * EPS * scale;
            if (!(Math.abs(got[idx] - expected[idx]) <= tolerance)) {
                fail(what + ": C(" + i + "," + j + ") = " + got[idx] + ", ref " + expected[idx] + ", tolerance " + tolerance);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SgemmVersion.class)
    void largeProductMatchesTheCpuKernel(SgemmVersion v) {
        runsOnThisGpu(v);
        // 1000 is no multiple of any tile; the CPU's fast Sgemm (16 cores on the GPU machine) is the reference here.
        int n = 1000;
        SplittableRandom random = new SplittableRandom(7);
        float[] a = random(n * n, random), b = random(n * n, random), expected = new float[n * n], got = new float[n * n];
        Sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, expected, 0, n);
        try (CudaSgemm gpu = new CudaSgemm(v)) {
            gpu.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, got, 0, n);
        }
        // |a|,|b| < 1, so S ≤ k; the bound (k + 3)·ε·k is loose but rigorous for every element.
        double tolerance = (n + 3) * EPS * n;
        for (int i = 0; i < n * n; i++) {
            if (!(Math.abs(got[i] - expected[i]) <= tolerance)) fail(v + ": C[" + i + "] = " + got[i] + ", CPU " + expected[i]);
        }
    }

    @Test
    void alphaZeroReadsNeitherAnorB() {
        float[] a = {Float.NaN, Float.NaN}, b = {Float.NaN, Float.NaN}, c = {2f, 4f};
        try (CudaSgemm gpu = new CudaSgemm(SgemmVersion.V4_VECTORIZED)) {
            gpu.sgemm(false, false, 1, 2, 1, 0f, a, 0, 1, b, 0, 2, 0.5f, c, 0, 2);
            assertEquals(1f, c[0]);
            assertEquals(2f, c[1]);
            gpu.sgemm(false, false, 1, 2, 0, 1f, a, 0, 1, b, 0, 2, 0f, c, 0, 2);
            assertEquals(0f, c[0]);
            assertEquals(0f, c[1]);
        }
    }

    @Test
    void deviceFormWorksOnResidentBuffersWithOffsets() {
        CudaContext context = Gpu.context();
        int m = 37, n = 29, k = 41, off = 5;
        SplittableRandom random = new SplittableRandom(3);
        float[] a = random(off + m * k, random), b = random(off + k * n, random), c = new float[off + m * n];
        float[] expected = c.clone();
        Sgemm.ref(false, false, m, n, k, 1f, a, off, k, b, off, n, 0f, expected, off, n);
        try (DeviceBuffer da = DeviceBuffer.allocate(context, a.length); DeviceBuffer db = DeviceBuffer.allocate(context, b.length);
             DeviceBuffer dc = DeviceBuffer.allocate(context, c.length); CudaSgemm gpu = new CudaSgemm(context, SgemmVersion.V5_WARPTILED)) {
            da.copyFromHost(a, 0, 0, a.length);
            db.copyFromHost(b, 0, 0, b.length);
            dc.zero(0, c.length);
            gpu.sgemm(false, false, m, n, k, 1f, da, off, k, db, off, n, 0f, dc, off, n);
            dc.copyToHost(0, c, 0, c.length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gpu.sgemm(false, false, m, n, k, 1f, da, off + 1, k, db, off, n, 0f, dc, off, n));
            assertTrue(e.getMessage().contains("array A has length"), e.getMessage());
        }
        for (int i = 0; i < c.length; i++) assertEquals(expected[i], c[i], (k + 3) * EPS * k, "C[" + i + "]");
    }

    /**
     * A graph records v7's workspace pointer; a larger product at the same site then needs a larger
     * workspace. The old one must outlive the graph: replaying it still gives the right product.
     */
    @Test
    void aCapturedSplitKProductSurvivesItsSiteGrowingTheWorkspace() {
        CudaContext context = Gpu.context();
        context.setSyncAfterLaunch(false);  // a capture cannot synchronize
        int m = 64, n = 64, k = 700, big = 200;  // 4 tiles → several slices; then 49 tiles and k = 700
        SplittableRandom random = new SplittableRandom(5);
        float[] a = random(big * k, random), b = random(k * big, random), c = new float[m * n], expected = new float[m * n];
        Sgemm.ref(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
        try (DeviceBuffer da = DeviceBuffer.allocate(context, a.length); DeviceBuffer db = DeviceBuffer.allocate(context, b.length);
             DeviceBuffer dc = DeviceBuffer.allocate(context, big * big); CudaSgemm gpu = new CudaSgemm(context, SgemmVersion.V7_SPLIT_K)) {
            da.copyFromHost(a, 0, 0, a.length);
            db.copyFromHost(b, 0, 0, b.length);
            assertTrue(SgemmVersion.V7_SPLIT_K.slices(m, n, k, context.multiprocessors()) > 1, "the small product is split");
            long small = (long) SgemmVersion.V7_SPLIT_K.slices(m, n, k, context.multiprocessors()) * m * n;
            long large = (long) SgemmVersion.V7_SPLIT_K.slices(big, big, k, context.multiprocessors()) * big * big;
            assertTrue(large > small, "the second product needs a larger workspace: " + large + " > " + small);
            try (CudaGraph graph = context.capture(() -> gpu.sgemm(false, false, m, n, k, 1f, da, 0, k, db, 0, n, 0f, dc, 0, n))) {
                gpu.sgemm(false, false, big, big, k, 1f, da, 0, k, db, 0, big, 0f, dc, 0, big);  // grows the workspace
                dc.zero(0, big * big);
                graph.launch();
                dc.copyToHost(0, c, 0, m * n);
            }
        }
        for (int i = 0; i < c.length; i++) assertEquals(expected[i], c[i], (k + 3) * EPS * k, "C[" + i + "]");
    }

    @Test
    void aFailedLaunchNamesTheKernelAndTheResult() {
        // 512 threads for a kernel compiled with __launch_bounds__(256): the driver refuses the launch.
        Kernel kernel = new Kernel(Gpu.context(), "sgemm_v4_vectorized", "sgemm_v4_vectorized", 16);
        try (DeviceBuffer x = DeviceBuffer.allocate(Gpu.context(), 16)) {
            for (int slot : new int[] {0, 1, 2, 3, 4, 7, 8, 10, 11, 14, 15}) kernel.set(slot, 1);
            kernel.set(5, 1f).set(12, 0f).set(6, x).set(9, x).set(13, x);
            CudaCallException e = assertThrows(CudaCallException.class,
                    () -> kernel.launch(new LaunchGeometry(1, 1, 1, 512, 1, 1, 0, 0)));
            assertTrue(e.getMessage().startsWith("launch of sgemm_v4_vectorized (grid 1x1x1, block 512x1x1) failed: CUDA_ERROR_"),
                    e.getMessage());
        }
    }

    @Test
    void allModulesLoad() {
        int cc = Gpu.context().computeCapability();
        long runnable = PtxModules.MODULES.keySet().stream().filter(m -> PtxModules.minComputeCapability(m) <= cc).count();
        assertEquals(runnable, Gpu.context().loadAllModules());
        for (SgemmVersion v : SgemmVersion.values()) {
            if (v.unsupportedOn(cc) != null) assertThrows(UnsupportedOperationException.class, () -> new CudaSgemm(v), v.toString());
        }
        assertTrue(Gpu.context().describe().contains("sm_"));
    }
}
