package kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of the blocked GEMM, chosen once from the machine's vector width.
 * With 512-bit vectors (AVX-512: 32 registers) the tile is 6 × 4 vectors = 6×64 floats,
 * 24 accumulators; with 256-bit vectors (AVX2: 16 registers) it is 4 × 2 vectors = 4×16,
 * 8 accumulators, which leaves C2 room enough to allocate them the same way in every JVM
 * ({@link SgemmKernel4x2v}).
 */
final class SgemmTile {
    /**
     * True when the 6×4-vector kernel runs, false for the 4×2-vector one: chosen from the
     * preferred vector width, or forced with -Dnabla.gemm.tile=6x4v|4x2v (the test suite runs the
     * wide kernel on an AVX2 machine this way; there the 512-bit species is emulated, slowly).
     */
    static final boolean WIDE = chooseWide(System.getProperty("nabla.gemm.tile", "auto"));
    static final VectorSpecies<Float> S = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    /** Floats per vector: 16 with AVX-512, 8 with AVX2. */
    static final int L = S.length();
    static final int MR = WIDE ? SgemmKernel6x4v.MR : SgemmKernel4x2v.MR;
    static final int NR = WIDE ? SgemmKernel6x4v.NR : SgemmKernel4x2v.NR;

    private SgemmTile() {}

    private static boolean chooseWide(String tile) {
        return switch (tile) {
            case "auto" -> FloatVector.SPECIES_PREFERRED.length() >= 16;
            case "6x4v" -> true;
            case "4x2v" -> false;
            default -> throw new IllegalArgumentException("nabla.gemm.tile must be auto, 6x4v or 4x2v, got '" + tile + "'");
        };
    }

    /** Runs the micro-kernel of this machine into MR rows of NR floats, {@code ldo} apart, at out[o0]; see {@link SgemmKernel4x2v#kernel}. */
    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0, float[] out, int o0, int ldo) {
        if (!Simd.ON) {
            SgemmKernelScalar.kernel(kc, pa, pa0, pb, pb0, out, o0, ldo);
        } else if (WIDE) {
            SgemmKernel6x4v.kernel(kc, pa, pa0, pb, pb0, out, o0, ldo);
        } else {
            SgemmKernel4x2v.kernel(kc, pa, pa0, pb, pb0, out, o0, ldo);
        }
    }

    /**
     * Adds the tile {@code acc} (MR×NR, row stride NR) into the mr×nr corner of C at {@code c0}:
     * {@code C = alpha·acc + beta·C} on the first k-block, {@code C = alpha·acc + C} after it; beta = 0
     * never reads C, so NaN in C does not survive. Each element gets the same operations whether it
     * lies in a full tile or an edge tile, so results do not depend on how threads split C.
     */
    static void fold(float[] acc, float alpha, float beta, boolean first, float[] c, int c0, int ldc, int mr, int nr) {
        boolean readC = !first || beta != 0f;
        float scale = first ? beta : 1f;   // x·1 = x exactly: later k-blocks add onto C as it is
        FloatVector av = FloatVector.broadcast(S, alpha), sv = FloatVector.broadcast(S, scale);
        for (int r = 0; r < mr; r++) {
            int t = r * NR, o = c0 + r * ldc, j = 0;
            if (readC) {
                // C = alpha·acc + scale·C
                for (; Simd.ON && j <= nr - L; j += L) {
                    FloatVector.fromArray(S, acc, t + j).fma(av, FloatVector.fromArray(S, c, o + j).mul(sv)).intoArray(c, o + j);
                }
                for (; j < nr; j++) c[o + j] = Math.fma(acc[t + j], alpha, c[o + j] * scale);
            } else {
                // C = alpha·acc
                for (; Simd.ON && j <= nr - L; j += L) FloatVector.fromArray(S, acc, t + j).mul(av).intoArray(c, o + j);
                for (; j < nr; j++) c[o + j] = acc[t + j] * alpha;
            }
        }
    }

    /** A one-line description for logs and benchmark reports. */
    static String describe() {
        return "micro-kernel " + MR + "x" + NR + " (" + (WIDE ? "6x4v" : "4x2v") + ", " + S.vectorBitSize() + "-bit vectors)";
    }
}
