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
 * part runs the loop nest above on its rectangle with its own packing buffers, or, in a small product
 * split into many parts, the parts pack each k-block of A and B together and then compute their
 * rectangles from it ({@link #sharesPacking}). The tile grid and the k-blocking do not depend on the
 * split, so the result is bitwise the same for any thread count.
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
    /**
     * From this many parts up the threads pack a small product's blocks together ({@link #sharesPacking}),
     * -Dnabla.gemm.share to measure another. At 2 parts it changed nothing on 2 cores (0.99-1.04x per
     * product, 1.17x slower on the smallest): each operand is then packed at most twice anyway.
     */
    static final int SHARE_MIN_PARTS = tuning("share", 4, 1);

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

    /** What a run of a {@link Product} does with its parts. */
    private enum Phase { SLABS, PACK, TILES }

    /** One product's arguments, reused by the thread that issues it (no allocation per call). */
    private static final class Product implements ThreadPool.Task {
        boolean transA, transB;
        int m, n, k, aOff, lda, bOff, ldb, cOff, ldc, rowParts, colParts;
        float alpha, beta;
        float[] a, b, c;
        // shared packing: the k-block under way and the blocks every thread reads it from (A's block
        // grows to the largest product seen, within SHARED_A_MAX; B's is the caller's packing buffer)
        Phase phase = Phase.SLABS;
        int pc, kc;
        float[] sharedA = new float[0], sharedB;

        @Override
        public void run(int part, int parts) {
            if (phase == Phase.PACK) {
                packPart(this, part, parts);
                return;
            }
            int rowTiles = (m + MR - 1) / MR, colTiles = (n + NR - 1) / NR;
            int pr = part / colParts, pcol = part % colParts;
            int i0 = slice(rowTiles, pr, rowParts) * MR, i1 = Math.min(m, slice(rowTiles, pr + 1, rowParts) * MR);
            int j0 = slice(colTiles, pcol, colParts) * NR, j1 = Math.min(n, slice(colTiles, pcol + 1, colParts) * NR);
            if (i0 >= i1 || j0 >= j1) return;
            if (phase == Phase.SLABS) slab(this, i0, i1, j0, j1);
            else tiles(this, i0, i1, j0, j1);
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
        int threads = (long) m * n * k < PARALLEL_MIN_FMAS || pool.runsSerially() ? 1 : pool.threads();
        int split = split((m + MR - 1) / MR, (n + NR - 1) / NR, threads, MR, NR);
        g.rowParts = split >>> 16;
        g.colParts = split & 0xFFFF;
        int parts = g.rowParts * g.colParts;
        try {
            if (parts >= SHARE_MIN_PARTS && sharesPacking(m, n, k)) {
                shared(g, pool, parts);
            } else {
                g.phase = Phase.SLABS;
                pool.run(g, parts);
            }
        } finally {
            g.a = g.b = g.c = g.sharedB = null; // do not keep the caller's arrays alive
        }
    }

    /**
     * Whether the threads can pack op(A) and op(B) once, together, instead of each packing the rows
     * and columns its part needs: when one k-block of B fits the caller's B buffer (KC×NC floats) and
     * one of A fits {@link #SHARED_A_MAX}, so that one block holds every row and every column.
     * A part of a split into rp × cp packs (m/rp + n/cp)·kc floats on its own, (m + n)·kc / (rp·cp)
     * with the others: at 16 threads on config B's forward product, 4× less. In a product this small
     * its packing is as large as its share of the multiply-adds (docs/benchmarks.md, "Shared packing").
     */
    static boolean sharesPacking(int m, int n, int k) {
        long kc = Math.min(k, KC);
        long rows = (long) (m + MR - 1) / MR * MR, cols = (long) (n + NR - 1) / NR * NR;
        return rows * kc <= SHARED_A_MAX && cols * kc <= (long) KC * NC;
    }

    /** The largest shared A block, in floats (4 MiB): every row of a k-block, where one thread's A block is MC rows. */
    static final int SHARED_A_MAX = 1 << 20;

    /**
     * The product with shared packing, k-block by k-block: one run packs the block's micro-panels of
     * A and B into the shared blocks (each part a range of the block's depth in every panel), the
     * next computes the parts' tiles from them. The tiles, their k-blocks and their folds are the ones
     * {@link #slab} computes, so the result is bitwise the same.
     */
    private static void shared(Product g, ThreadPool pool, int parts) {
        int need = (g.m + MR - 1) / MR * MR * Math.min(g.k, KC);
        if (g.sharedA.length < need) g.sharedA = new float[need]; // once per larger product, not per call
        g.sharedB = BUFFERS.get().packB;
        for (int pc = 0; pc < g.k; pc += KC) {
            g.pc = pc;
            g.kc = Math.min(KC, g.k - pc);
            g.phase = Phase.PACK;
            pool.run(g, parts);
            g.phase = Phase.TILES;
            pool.run(g, parts);
        }
    }

    /**
     * Part {@code part} of the packing of k-block g.pc: a range of its depth, p0 .. p1, in every micro-panel of A and
     * of B. Each part packs (m + n)·kc / parts floats, give or take a p, whatever the panels' widths.
     */
    private static void packPart(Product g, int part, int parts) {
        int p0 = (int) ((long) g.kc * part / parts), p1 = (int) ((long) g.kc * (part + 1) / parts);
        if (p0 >= p1) return;
        SgemmPack.packA(g.transA, g.a, g.aOff, g.lda, 0, g.m, g.pc + p0, p1 - p0, g.sharedA, p0 * MR, g.kc);
        SgemmPack.packB(g.transB, g.b, g.bOff, g.ldb, g.pc + p0, p1 - p0, 0, g.n, g.sharedB, p0 * NR, g.kc);
    }

    /** The tiles of C[i0..i1, j0..j1) for k-block g.pc, from the shared packed blocks. */
    private static void tiles(Product g, int i0, int i1, int j0, int j1) {
        microTiles(g, g.sharedA, i0 * g.kc, g.sharedB, j0 * g.kc, g.kc, g.pc == 0, i0, i1 - i0, j0, j1 - j0, BUFFERS.get().tile);
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
                SgemmPack.packB(g.transB, g.b, g.bOff, g.ldb, pc, kc, jc, nc, packB, 0, kc);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    SgemmPack.packA(g.transA, g.a, g.aOff, g.lda, ic, mc, pc, kc, packA, 0, kc);
                    microTiles(g, packA, 0, packB, 0, kc, pc == 0, ic, mc, jc, nc, tile);
                }
            }
        }
    }

    /**
     * The register tiles of C[i0 .. i0+mc, j0 .. j0+nc) over one k-block of depth kc, whose packed
     * micro-panels start at pa0 in packA and pb0 in packB. A full tile of the first k-block with
     * alpha 1 and beta 0 is stored by the kernel straight into C (fold would write 1·acc = acc exactly,
     * without reading C); the others go through the scratch tile and {@link SgemmTile#fold}.
     */
    private static void microTiles(Product g, float[] packA, int pa0, float[] packB, int pb0, int kc, boolean first,
                                   int i0, int mc, int j0, int nc, float[] tile) {
        boolean direct = first && g.alpha == 1f && g.beta == 0f;
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int pb = pb0 + jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int pa = pa0 + ir * kc;
                int c0 = g.cOff + (i0 + ir) * g.ldc + j0 + jr;
                if (direct && mr == MR && nr == NR) {
                    SgemmTile.kernel(kc, packA, pa, packB, pb, g.c, c0, g.ldc);
                } else {
                    SgemmTile.kernel(kc, packA, pa, packB, pb, tile, 0, NR);
                    SgemmTile.fold(tile, g.alpha, g.beta, first, g.c, c0, g.ldc, mr, nr);
                }
            }
        }
    }
}
