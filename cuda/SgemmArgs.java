package cuda;

/**
 * Argument checks of {@link CudaSgemm}, the same rules and messages as kernels.Sgemm's, against a
 * length in floats (a host array's or a device buffer's). Also keeps every index the kernels compute
 * in int range: offset + (rows − 1)·ld + cols ≤ 2^31 − 1.
 */
final class SgemmArgs {
    private SgemmArgs() {}

    static void check(boolean transA, boolean transB, int m, int n, int k, long aLength, int aOff, int lda,
                      long bLength, int bOff, int ldb, long cLength, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        // Stored shapes: A is m×k (k×m if transposed), B is k×n (n×k if transposed), C is m×n.
        matrix("A", transA, transA ? k : m, transA ? m : k, aLength, aOff, lda, m, n, k);
        matrix("B", transB, transB ? n : k, transB ? k : n, bLength, bOff, ldb, m, n, k);
        matrix("C", false, m, n, cLength, cOff, ldc, m, n, k);
    }

    /** Floats from the offset to one past the last element: what a copy of the stored matrix spans. */
    static long span(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    private static void matrix(String name, boolean trans, int rows, int cols, long length, int off, int ld,
                               int m, int n, int k) {
        String ldName = "ld" + name.toLowerCase();
        String where = " (" + name + (trans ? " transposed" : "") + ", stored " + rows + "x" + cols
                + ", m=" + m + " n=" + n + " k=" + k + ")";
        if (length < 0) throw new IllegalArgumentException("sgemm: array " + name + " is null" + where);
        if (off < 0) throw new IllegalArgumentException("sgemm: " + name + " offset is negative: " + off + where);
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: " + ldName + "=" + ld + " is smaller than the row length "
                    + cols + " by " + (Math.max(1, cols) - ld) + where);
        }
        long need = (long) off + span(rows, cols, ld);
        if (need > length) {
            throw new IllegalArgumentException("sgemm: array " + name + " has length " + length + ", too short by "
                    + (need - length) + " for offset " + off + " and " + ldName + "=" + ld + where);
        }
        if (need > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sgemm: " + name + " spans " + need + " floats from its buffer's start,"
                    + " more than the kernels' int indexing allows (2^31 - 1)" + where);
        }
    }
}
