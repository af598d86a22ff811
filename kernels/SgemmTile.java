package kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of the blocked GEMM, chosen once from the machine's vector width.
 * With 512-bit vectors (AVX-512: 32 registers) the tile is 6 × 4 vectors = 6×64 floats,
 * 24 accumulators; with 256-bit vectors (AVX2: 16 registers) it is 6 × 2 vectors = 6×16,
 * 12 accumulators, as a wider tile would spill registers.
 */
final class SgemmTile {
    /**
     * True when the 6×4-vector kernel runs, false for the 6×2-vector one: chosen from the
     * preferred vector width, or forced with -Dnabla.gemm.tile=6x4v|6x2v (the test suite runs the
     * wide kernel on an AVX2 machine this way; there the 512-bit species is emulated, slowly).
     */
    static final boolean WIDE = chooseWide(System.getProperty("nabla.gemm.tile", "auto"));
    static final VectorSpecies<Float> S = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    /** Floats per vector: 16 with AVX-512, 8 with AVX2. */
    static final int L = S.length();
    static final int MR = 6;
    static final int NR = WIDE ? SgemmKernel6x4v.NR : SgemmKernel6x2v.NR;

    private SgemmTile() {}

    private static boolean chooseWide(String tile) {
        return switch (tile) {
            case "auto" -> FloatVector.SPECIES_PREFERRED.length() >= 16;
            case "6x4v" -> true;
            case "6x2v" -> false;
            default -> throw new IllegalArgumentException("nabla.gemm.tile must be auto, 6x4v or 6x2v, got '" + tile + "'");
        };
    }

    /** Runs the micro-kernel of this machine; see {@link SgemmKernel6x4v#kernel}. */
    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0,
                       float alpha, float beta, boolean first, float[] c, int c0, int ldc) {
        if (WIDE) {
            SgemmKernel6x4v.kernel(kc, pa, pa0, pb, pb0, alpha, beta, first, c, c0, ldc);
        } else {
            SgemmKernel6x2v.kernel(kc, pa, pa0, pb, pb0, alpha, beta, first, c, c0, ldc);
        }
    }

    /** A one-line description for logs and benchmark reports. */
    static String describe() {
        return "micro-kernel " + MR + "x" + NR + " (" + (WIDE ? "6x4v" : "6x2v") + ", " + S.vectorBitSize() + "-bit vectors)";
    }
}
