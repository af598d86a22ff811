package kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The 6×4-vector (AVX-512) micro-kernel, forced by the pom's {@code wide-tile} surefire run with
 * -Dnabla.gemm.tile=6x4v so that an AVX2 machine tests it too. On such a machine the 512-bit
 * species is emulated in plain Java, thousands of times slower, so only small shapes run here;
 * they still cross every tile edge (MR = 6, NR = 64), two k-blocks and both thread splits.
 * Bounds and tolerances are those of {@link SgemmTest}.
 */
class SgemmWideTileTest {
    @Test
    void wideKernelMatchesRefOnEdgeShapes() {
        assertTrue(SgemmTile.WIDE && SgemmTile.NR == 64, "this run must use the 6x4v tile: " + SgemmTile.describe());
        SgemmTest.Shape[] shapes = {new SgemmTest.Shape(7, 65, 9), new SgemmTest.Shape(13, 130, 3),
            new SgemmTest.Shape(6, 64, SgemmBlocked.KC + 1), new SgemmTest.Shape(3, 70, 20)};
        for (SgemmTest.Shape sh : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    SgemmTest.checkCase(sh, ta, tb, -0.75f, 1.5f, 3);
                }
            }
        }
    }

    /** The 6×4v tile split among threads, shared packing (from 4 parts) included: the same bits for any thread count. */
    @Test
    void wideKernelGivesTheSameBitsForAnyThreadCount() {
        assertTrue(SgemmTile.WIDE, SgemmTile.describe());
        try {
            // 5×3 tiles; 3×2 tiles across two k-blocks
            for (SgemmTest.Shape sh : new SgemmTest.Shape[] {new SgemmTest.Shape(25, 130, 100), new SgemmTest.Shape(13, 70, SgemmBlocked.KC + 5)}) {
                SgemmTest.assertSameBitsForAnyThreadCount(sh, 1, 4, 16);
            }
        } finally {
            ThreadPool.setThreads(ThreadPool.configuredThreads());
        }
    }
}
