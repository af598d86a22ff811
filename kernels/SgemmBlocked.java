package kernels;

import static kernels.SgemmTile.MR;
import static kernels.SgemmTile.NR;

/**
 * The BLIS-shaped GEMM: cache blocks NC (columns of B), KC (depth), MC (rows of A) around the
 * {@link SgemmTile} register tile, with A and B packed per block by {@link SgemmPack}.
 *
 * <pre>
 * for jc in 0..n step NC        B block  KC×NC  packed once per (jc, pc), lives in L3
 *   for pc in 0..k step KC
 *     pack B[pc.., jc..]
 *     for ic in 0..m step MC    A block  MC×KC  packed, lives in L2
 *       pack A[ic.., pc..]
 *       for jr in 0..nc step NR     B micro-panel KC×NR
 *         for ir in 0..mc step MR   A micro-panel MR×KC, register tile MR×NR
 *           micro-kernel
 * </pre>
 *
 * Threads split C into rectangles of whole tiles ({@link #split}: by rows, by columns or both); each
 * part runs the loop nest above on its rectangle with its own packing buffers. The tile grid and the k-blocking do
 * not depend on the split, so the result is bitwise the same for any thread count.
 */
final class SgemmBlocked {
    // Cache blocks per tile shape (overridable for tuning: -Dnabla.gemm.kc/mc/nc); how they were
    // chosen, with the figures: docs/benchmarks.md, "Cache blocks".
    // AVX-512, 6×64 tile: KC=512, MC=66, NC=2048.
    // AVX2, 4×16 tile: KC=512 (a B micro-panel of 32 KiB, L1's size), MC=168 (an A block of 336 KiB,
    // in L2), NC=4080 (a B block of 8 MiB, in L3).
    static final int KC = tuning("kc", 512, 1);
    static final int MC = tuning("mc", SgemmTile.WIDE ? 11 * MR : 42 * MR, MR);
    static final int NC = tuning("nc", SgemmTile.WIDE ? 32 * NR : 255 * NR, NR);

    /** Below this many multiply-adds a product runs on one thread (dispatch costs more). */
    static final long PARALLEL_MIN_FMAS = 64L * 64 * 64;

    private SgemmBlocked() {}

    /** A block size from -Dnabla.gemm.NAME, rounded down to a multiple of {@code unit}. */
    private static int tuning(String name, int fallback, int unit) {
        String v = System.getProperty("nabla.gemm." + name);
        if (v == null) return fallback;
        int x = Integer.parseInt(v.trim());
        if (x < unit) throw new IllegalArgumentException("nabla.gemm." + name + " must be >= " + unit + ", got " + x);
        return x / unit * unit;
    }

    /** Per-thread packing buffers and scratch tile, allocated once per thread. */
    private static final class Buffers {
        final float[] packA = new float[MC * KC];
        final float[] packB = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** One product's arguments, reused by the thread that issues it (no allocation per call). */
    private static final class Product implements ThreadPool.Task {
        boolean transA, transB;
        int m, n, k, aOff, lda, bOff, ldb, cOff, ldc, rowParts, colParts;
        float alpha, beta;
        float[] a, b, c;

        @Override
        public void run(int part, int parts) {
            int rowTiles = (m + MR - 1) / MR, colTiles = (n + NR - 1) / NR;
            int pr = part / colParts, pc = part % colParts;
            int i0 = slice(rowTiles, pr, rowParts) * MR, i1 = Math.min(m, slice(rowTiles, pr + 1, rowParts) * MR);
            int j0 = slice(colTiles, pc, colParts) * NR, j1 = Math.min(n, slice(colTiles, pc + 1, colParts) * NR);
            if (i0 < i1 && j0 < j1) slab(this, i0, i1, j0, j1);
        }

        /** The first tile of part p of {@code parts}: tiles are dealt out evenly, whole. */
        private static int slice(int tiles, int p, int parts) {
            return (int) ((long) tiles * p / parts);
        }
    }

    private static final ThreadLocal<Product> PRODUCT = ThreadLocal.withInitial(Product::new);

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        Product g = PRODUCT.get();
        g.transA = transA; g.transB = transB; g.m = m; g.n = n; g.k = k; g.alpha = alpha; g.beta = beta;
        g.a = a; g.aOff = aOff; g.lda = lda; g.b = b; g.bOff = bOff; g.ldb = ldb; g.c = c; g.cOff = cOff; g.ldc = ldc;
        ThreadPool pool = ThreadPool.get();
        int threads = (long) m * n * k < PARALLEL_MIN_FMAS ? 1 : pool.threads();
        int split = split((m + MR - 1) / MR, (n + NR - 1) / NR, threads, MR, NR);
        g.rowParts = split >>> 16;
        g.colParts = split & 0xFFFF;
        try {
            pool.run(g, g.rowParts * g.colParts);
        } finally {
            g.a = g.b = g.c = null; // do not keep the caller's arrays alive
        }
    }

    /**
     * How to cut a grid of rowTiles × colTiles tiles into at most {@code threads} rectangles of whole
     * mr×nr tiles, as {@code rowParts << 16 | colParts}: the split whose largest part costs least, a part
     * costing its mr·nr multiply-adds per tile and per k plus the packing of its rows of A and columns
     * of B (rows + cols floats per k, counted twice: a copy is slower per float than an FMA). Ties go
     * to fewer parts. The tiles, and so the results, are the same for any split.
     */
    static int split(int rowTiles, int colTiles, int threads, int mr, int nr) {
        int bestRows = 1, bestCols = 1;
        long best = Long.MAX_VALUE;
        for (int rp = 1; rp <= Math.min(threads, rowTiles); rp++) {
            for (int cp = 1; cp <= Math.min(threads / rp, colTiles); cp++) {
                long rows = (long) ((rowTiles + rp - 1) / rp) * mr, cols = (long) ((colTiles + cp - 1) / cp) * nr;
                // a part's time ∝ rows·cols (its FMAs) + 2·(rows + cols) (its packing)
                long cost = rows * cols + 2 * (rows + cols);
                if (cost < best || cost == best && rp * cp < bestRows * bestCols) {
                    best = cost;
                    bestRows = rp;
                    bestCols = cp;
                }
            }
        }
        return bestRows << 16 | bestCols;
    }

    /** The loop nest over C[i0..i1, j0..j1). */
    private static void slab(Product g, int i0, int i1, int j0, int j1) {
        Buffers buf = BUFFERS.get();
        float[] packA = buf.packA, packB = buf.packB, tile = buf.tile;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < g.k; pc += KC) {
                int kc = Math.min(KC, g.k - pc);
                boolean first = pc == 0;
                // first k-block, alpha 1, beta 0: fold would write C = 1·acc = acc exactly, without reading C
                boolean direct = first && g.alpha == 1f && g.beta == 0f;
                SgemmPack.packB(g.transB, g.b, g.bOff, g.ldb, pc, kc, jc, nc, packB);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    SgemmPack.packA(g.transA, g.a, g.aOff, g.lda, ic, mc, pc, kc, packA);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int pb = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int pa = ir * kc;
                            int c0 = g.cOff + (ic + ir) * g.ldc + jc + jr;
                            if (direct && mr == MR && nr == NR) {
                                // C[tile] = acc: the kernel stores into C itself
                                SgemmTile.kernel(kc, packA, pa, packB, pb, g.c, c0, g.ldc);
                            } else {
                                SgemmTile.kernel(kc, packA, pa, packB, pb, tile, 0, NR);
                                SgemmTile.fold(tile, g.alpha, g.beta, first, g.c, c0, g.ldc, mr, nr);
                            }
                        }
                    }
                }
            }
        }
    }
}
