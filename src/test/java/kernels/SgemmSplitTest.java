package kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The arithmetic of {@link SgemmBlocked#split}, the cut of C's tile grid among threads, for both
 * tiles (4×16 on AVX2, 6×64 on AVX-512) whatever this machine has. The products are config B's
 * (784-256-128-10, batch 128): forward x·Wᵀ, weight gradient δᵀ·x and input gradient δ·W.
 * That results do not depend on the split is SgemmTest's bitwiseIdenticalForAnyThreadCount.
 */
class SgemmSplitTest {
    /** The two register tiles, MR × NR: AVX2's 4×16 and AVX-512's 6×64. */
    private static final int[][] TILES = {{4, 16}, {6, 64}};
    private static final int[][] CONFIG_B = {
        {128, 256, 784}, {128, 128, 256}, {128, 10, 128},   // forward
        {256, 784, 128}, {128, 256, 128}, {10, 128, 128},   // weight gradients
        {128, 256, 128}, {128, 128, 10},                    // input gradients
    };

    /** The tiles of the largest part of the split: the product's critical path, in tiles. */
    private static int largestPart(int rowTiles, int colTiles, int split) {
        int rp = split >>> 16, cp = split & 0xFFFF;
        return ceil(rowTiles, rp) * ceil(colTiles, cp);
    }

    private static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    @Test
    void everySplitIsAValidCutOfTheGrid() {
        for (int[] tile : TILES) {
            int mr = tile[0], nr = tile[1];
            for (int rowTiles = 1; rowTiles <= 40; rowTiles++) {
                for (int colTiles = 1; colTiles <= 40; colTiles++) {
                    for (int threads = 1; threads <= 20; threads++) {
                        int split = SgemmBlocked.split(rowTiles, colTiles, threads, mr, nr);
                        int rp = split >>> 16, cp = split & 0xFFFF;
                        String at = rowTiles + "x" + colTiles + " tiles, " + threads + " threads: " + rp + "x" + cp;
                        assertTrue(rp >= 1 && cp >= 1 && rp * cp <= threads, at);
                        assertTrue(rp <= rowTiles && cp <= colTiles, at + " leaves a part without tiles");
                    }
                }
            }
        }
    }

    @Test
    void oneThreadIsOnePart() {
        assertEquals(1 << 16 | 1, SgemmBlocked.split(22, 16, 1, 6, 16));
    }

    /**
     * At 16 threads the 1-D split (columns when n ≥ m) left config B's forward product with 4 parts
     * of 22 tiles on the 6×64 tile; the 2-D split keeps every product of at least 16 tiles within
     * 1.3x of an even share (tiles/16), and never above the 1-D split's largest part.
     */
    @Test
    void sixteenThreadsShareConfigBEvenly() {
        for (int[] tile : TILES) {
            int mr = tile[0], nr = tile[1];
            for (int[] p : CONFIG_B) {
                int rowTiles = ceil(p[0], mr), colTiles = ceil(p[1], nr), tiles = rowTiles * colTiles;
                int largest = largestPart(rowTiles, colTiles, SgemmBlocked.split(rowTiles, colTiles, 16, mr, nr));
                int oneD = p[1] >= p[0] ? rowTiles * ceil(colTiles, Math.min(16, colTiles)) : ceil(rowTiles, Math.min(16, rowTiles)) * colTiles;
                String at = p[0] + "x" + p[1] + "x" + p[2] + " on " + mr + "x" + nr + ": largest part " + largest + " tiles of " + tiles + ", 1-D " + oneD;
                assertTrue(largest <= oneD, at);
                if (tiles >= 16) assertTrue(largest <= 1.3 * tiles / 16 + 1, at);
            }
        }
        // the case that did not scale: 128x256x784 on 6x64 is 22x4 tiles, 4 column parts of 22 tiles in 1-D
        assertEquals(6, largestPart(22, 4, SgemmBlocked.split(22, 4, 16, 6, 64)));
    }

    @Test
    void twoThreadsHalveEveryConfigBProduct() {
        for (int[] tile : TILES) {
            int mr = tile[0], nr = tile[1];
            for (int[] p : CONFIG_B) {
                int rowTiles = ceil(p[0], mr), colTiles = ceil(p[1], nr);
                int largest = largestPart(rowTiles, colTiles, SgemmBlocked.split(rowTiles, colTiles, 2, mr, nr));
                // an odd count of tiles along the cut leaves one part a row or column of tiles more
                int bound = Math.min(ceil(rowTiles, 2) * colTiles, rowTiles * ceil(colTiles, 2));
                assertEquals(bound, largest, p[0] + "x" + p[1] + "x" + p[2] + " on " + mr + "x" + nr);
            }
        }
    }

    /**
     * Shared packing, in floats packed by the busiest part per k-block: on its own a part of an rp × cp split packs its
     * rows of op(A) and columns of op(B), (m/rp + n/cp)·kc; with the others, every row and column over its share of the
     * block's depth, (m + n)·⌈kc/parts⌉. At 16 threads config B's forward product packs 4× less a part that way on both
     * tiles, and no product of config B packs more; on this machine's tile the forward takes the shared path.
     */
    @Test
    void sixteenThreadsPackConfigBTogetherAndFourTimesLessAPart() {
        for (int[] tile : TILES) {
            int mr = tile[0], nr = tile[1];
            for (int[] p : CONFIG_B) {
                int m = p[0], n = p[1], k = p[2], rowTiles = ceil(m, mr), colTiles = ceil(n, nr);
                int split = SgemmBlocked.split(rowTiles, colTiles, 16, mr, nr);
                int rp = split >>> 16, cp = split & 0xFFFF, parts = rp * cp;
                int kc = Math.min(k, SgemmBlocked.KC);
                long alone = ((long) ceil(rowTiles, rp) * mr + (long) ceil(colTiles, cp) * nr) * kc;
                long together = ((long) rowTiles * mr + (long) colTiles * nr) * ceil(kc, parts);
                String at = m + "x" + n + "x" + k + " on " + mr + "x" + nr + ", " + rp + "x" + cp + " parts: " + alone
                        + " floats packed alone, " + together + " together";
                assertTrue(together <= alone, at);
                if (m == 128 && n == 256 && k == 784) {
                    assertTrue(alone >= 3.5 * together, at);
                    if (mr == SgemmTile.MR && nr == SgemmTile.NR) {
                        assertTrue(parts >= SgemmBlocked.SHARE_MIN_PARTS && SgemmBlocked.sharesPacking(m, n, k), at + ": not shared");
                    }
                }
            }
        }
        // two threads keep packing on their own (measured: no gain at 2 parts on 2 cores, docs/benchmarks.md)
        assertTrue(SgemmBlocked.SHARE_MIN_PARTS > 2);
    }
}
