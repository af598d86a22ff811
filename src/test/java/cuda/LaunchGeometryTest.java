package cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Launch shapes: grids that cover every edge size with no block too many, block and shared-memory sizes. */
class LaunchGeometryTest {
    @Test
    void sgemmGridCoversEdgesExactly() {
        for (SgemmVersion v : SgemmVersion.values()) {
            int r = v.tileRows(), c = v.tileCols();
            assertGrid(v, 1, 1, 1, 1);
            assertGrid(v, r, c, 1, 1);
            assertGrid(v, r + 1, c, 1, 2);
            assertGrid(v, r, c + 1, 2, 1);
            assertGrid(v, r - 1 == 0 ? 1 : r - 1, c - 1, 1, 1);
            assertGrid(v, 2 * r + 3, 3 * c - 1, 3, 3);
            assertGrid(v, 8192, 8192, 8192 / c, 8192 / r);
            // The largest m the grid's y dimension can hold, and one more.
            assertGrid(v, LaunchGeometry.MAX_GRID_YZ * r, 1, 1, LaunchGeometry.MAX_GRID_YZ);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LaunchGeometry.sgemm(v, LaunchGeometry.MAX_GRID_YZ * r + 1, 1));
            assertTrue(e.getMessage().contains(v.entry()) && e.getMessage().contains("m=" + (LaunchGeometry.MAX_GRID_YZ * r + 1)),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.sgemm(v, 0, 5));
            assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.sgemm(v, 5, 0));
        }
    }

    private static void assertGrid(SgemmVersion v, int m, int n, int gridX, int gridY) {
        LaunchGeometry g = LaunchGeometry.sgemm(v, m, n);
        String what = v + " m=" + m + " n=" + n;
        assertEquals(gridX, g.gridX(), what);
        assertEquals(gridY, g.gridY(), what);
        assertEquals(1, g.gridZ(), what);
        // Covers C, and dropping a block row or column would not.
        assertTrue((long) g.gridX() * v.tileCols() >= n && (long) (g.gridX() - 1) * v.tileCols() < n, what);
        assertTrue((long) g.gridY() * v.tileRows() >= m && (long) (g.gridY() - 1) * v.tileRows() < m, what);
        assertEquals(v.blockX() * v.blockY(), g.threadsPerBlock(), what);
        assertEquals(v.staticSharedBytes(), g.staticSharedBytes(), what);
        assertEquals(0, g.dynamicSharedBytes(), what);
    }

    @Test
    void sgemmBlockAndSharedMemoryFollowTheTiles() {
        // v1: a thread an element; v2: T×T threads, two T×(T+1) tiles; v3/v4: (BM/TM)·(BN/TN) threads,
        // (BM + BN)·BK floats; v5: one warp a 64×64 warp tile, (BM + BN)·BK floats.
        assertEquals(32 * 8, threads(SgemmVersion.V1_NAIVE));
        assertEquals(0, SgemmVersion.V1_NAIVE.staticSharedBytes());
        assertEquals(32 * 32, threads(SgemmVersion.V2_SMEM_TILED));
        assertEquals(2 * 32 * 33 * 4, SgemmVersion.V2_SMEM_TILED.staticSharedBytes());
        assertEquals((128 / 8) * (128 / 8), threads(SgemmVersion.V3_BLOCKTILE_2D));
        assertEquals((128 + 128) * 8 * 4, SgemmVersion.V3_BLOCKTILE_2D.staticSharedBytes());
        assertEquals((128 / 8) * (128 / 8), threads(SgemmVersion.V4_VECTORIZED));
        assertEquals((128 + 128) * 8 * 4, SgemmVersion.V4_VECTORIZED.staticSharedBytes());
        assertEquals((128 / 64) * (128 / 64) * 32, threads(SgemmVersion.V5_WARPTILED));
        assertEquals((128 + 128) * 16 * 4, SgemmVersion.V5_WARPTILED.staticSharedBytes());
        // v6: 8×8 a thread; two stages of (BM + 4 + BN + 4)·BK floats
        assertEquals((128 / 8) * (128 / 8), threads(SgemmVersion.V6_DOUBLE_BUFFERED));
        assertEquals(2 * (128 + 4 + 128 + 4) * 16 * 4, SgemmVersion.V6_DOUBLE_BUFFERED.staticSharedBytes());
        // v8: 2×4 warps of 64×32, 8×8 a thread; three stages of (BM + 4 + BN + 4)·BK floats, BK = 8
        assertEquals((128 / 64) * (128 / 32) * 32, threads(SgemmVersion.V8_CP_ASYNC));
        assertEquals(3 * (128 + 4 + 128 + 4) * 8 * 4, SgemmVersion.V8_CP_ASYNC.staticSharedBytes());
        // v7: v2's block and padded tiles, slices of k in the grid's z
        assertEquals(32 * 32, threads(SgemmVersion.V7_SPLIT_K));
        assertEquals(2 * 32 * 33 * 4, SgemmVersion.V7_SPLIT_K.staticSharedBytes());
        LaunchGeometry sliced = LaunchGeometry.sgemm(SgemmVersion.V7_SPLIT_K, 128, 256, 5);
        assertEquals(List.of(8, 4, 5), List.of(sliced.gridX(), sliced.gridY(), sliced.gridZ()));
        assertEquals(1, LaunchGeometry.sgemm(SgemmVersion.V7_SPLIT_K, 128, 256).gridZ());
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.sgemm(SgemmVersion.V7_SPLIT_K, 128, 256, 0));
        for (SgemmVersion v : SgemmVersion.values()) {
            assertTrue(v.staticSharedBytes() <= LaunchGeometry.MAX_STATIC_SHARED, v.toString());
            assertTrue(threads(v) <= LaunchGeometry.MAX_THREADS, v.toString());
        }
    }

    private static int threads(SgemmVersion v) {
        return v.blockX() * v.blockY();
    }

    @Test
    void elementwiseCoversCountAndCapsTheGrid() {
        assertEquals(1, LaunchGeometry.elementwise(1).gridX());
        assertEquals(1, LaunchGeometry.elementwise(256).gridX());
        assertEquals(2, LaunchGeometry.elementwise(257).gridX());
        assertEquals(65535, LaunchGeometry.elementwise(65535L * 256).gridX());
        // Beyond the cap the grid-stride loop covers the rest (checked by the emulation, 3 blocks x 64 over 1000).
        assertEquals(65535, LaunchGeometry.elementwise(Integer.MAX_VALUE).gridX());
        assertEquals(256, LaunchGeometry.elementwise(10).blockX());
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.elementwise(0));
    }

    @Test
    void softmaxBlockIsAPowerOfTwoFromAWarpTo256() {
        int[][] colsToThreads = {{1, 32}, {10, 32}, {32, 32}, {33, 64}, {64, 64}, {65, 128}, {200, 256}, {256, 256},
                {257, 256}, {100_000, 256}, {Integer.MAX_VALUE, 256}};
        for (int[] ct : colsToThreads) {
            LaunchGeometry g = LaunchGeometry.softmaxRows(7, ct[0]);
            assertEquals(ct[1], g.blockX(), "cols=" + ct[0]);
            assertEquals(7, g.gridX());
            assertEquals(0, Integer.bitCount(g.blockX()) - 1, "power of two");
            // The kernel's reduction buffer is sized for its largest block: SOFTMAX_THREADS floats.
            assertEquals(256 * 4, g.staticSharedBytes());
        }
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.softmaxRows(0, 10));
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.softmaxRows(3, 0));
    }

    @Test
    void impossibleShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 1, 1, 33, 32, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(0, 1, 1, 32, 1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 65536, 1, 32, 1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 1, 1, 32, 1, 1, 40_000, 10_000));
        assertEquals("grid 2x3x1, block 256x1x1", new LaunchGeometry(2, 3, 1, 256, 1, 1, 0, 0).toString());
    }

    @Test
    void versionsParseByShortOrFullName() {
        assertEquals(SgemmVersion.V4_VECTORIZED, SgemmVersion.parse("v4"));
        assertEquals(SgemmVersion.V4_VECTORIZED, SgemmVersion.parse("sgemm_v4_vectorized"));
        assertEquals(SgemmVersion.V1_NAIVE, SgemmVersion.parse("V1_NAIVE"));
        assertThrows(IllegalArgumentException.class, () -> SgemmVersion.parse("v9"));
    }
}
