package kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The level-1 helpers the layers need, vectorized, each beside its plain {@code ref} twin:
 * axpy, scale, add a row vector to every row (bias), sum of rows (bias gradient), and the
 * elementwise product. Arguments follow the GEMM style: arrays with offsets, rows with a
 * leading dimension. Lane order never depends on threads: these run on the calling thread.
 */
public final class VectorOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorOps() {}

    /** y[0..n) += alpha·x[0..n). */
    public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        checkRange("axpy", "x", x, xOff, n);
        checkRange("axpy", "y", y, yOff, n);
        FloatVector av = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            // y = alpha·x + y
            FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
    }

    public static void axpyRef(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** x[0..n) *= alpha. */
    public static void scale(int n, float alpha, float[] x, int xOff) {
        checkRange("scale", "x", x, xOff, n);
        FloatVector av = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) FloatVector.fromArray(S, x, xOff + i).mul(av).intoArray(x, xOff + i);
        for (; i < n; i++) x[xOff + i] *= alpha;
    }

    public static void scaleRef(int n, float alpha, float[] x, int xOff) {
        for (int i = 0; i < n; i++) x[xOff + i] *= alpha;
    }

    /** Adds the row vector v[0..cols) to each of the rows of X (bias add: h = x·Wᵀ + b). */
    public static void addRowVector(int rows, int cols, float[] v, int vOff, float[] x, int xOff, int ldx) {
        checkRange("addRowVector", "v", v, vOff, cols);
        checkMatrix("addRowVector", "x", x, xOff, rows, cols, ldx);
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * ldx;
            int j = 0;
            for (; Simd.ON && j <= cols - L; j += L) {
                FloatVector.fromArray(S, x, row + j).add(FloatVector.fromArray(S, v, vOff + j)).intoArray(x, row + j);
            }
            for (; j < cols; j++) x[row + j] += v[vOff + j];
        }
    }

    public static void addRowVectorRef(int rows, int cols, float[] v, int vOff, float[] x, int xOff, int ldx) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) x[xOff + r * ldx + j] += v[vOff + j];
        }
    }

    /**
     * out[j] = beta·out[j] + Σ_r X[r][j]: the column sums of X, i.e. the sum of its rows
     * (bias gradient: ∂E/∂b = Σ over the batch of the error terms). Rows are added in order.
     */
    public static void sumRows(int rows, int cols, float[] x, int xOff, int ldx, float beta, float[] out, int outOff) {
        checkMatrix("sumRows", "x", x, xOff, rows, cols, ldx);
        checkRange("sumRows", "out", out, outOff, cols);
        if (beta == 0f) java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
        else if (beta != 1f) scale(cols, beta, out, outOff);
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * ldx;
            int j = 0;
            for (; Simd.ON && j <= cols - L; j += L) {
                FloatVector.fromArray(S, out, outOff + j).add(FloatVector.fromArray(S, x, row + j)).intoArray(out, outOff + j);
            }
            for (; j < cols; j++) out[outOff + j] += x[row + j];
        }
    }

    public static void sumRowsRef(int rows, int cols, float[] x, int xOff, int ldx, float beta, float[] out, int outOff) {
        for (int j = 0; j < cols; j++) {
            float s = beta == 0f ? 0f : beta * out[outOff + j];
            for (int r = 0; r < rows; r++) s += x[xOff + r * ldx + j];
            out[outOff + j] = s;
        }
    }

    /** z[i] = x[i]·y[i] for i in 0..n (z may alias x or y). */
    public static void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        checkRange("mul", "x", x, xOff, n);
        checkRange("mul", "y", y, yOff, n);
        checkRange("mul", "z", z, zOff, n);
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(FloatVector.fromArray(S, y, yOff + i)).intoArray(z, zOff + i);
        }
        for (; i < n; i++) z[zOff + i] = x[xOff + i] * y[yOff + i];
    }

    public static void mulRef(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        for (int i = 0; i < n; i++) z[zOff + i] = x[xOff + i] * y[yOff + i];
    }

    static void checkRange(String op, String name, float[] x, int off, int n) {
        if (n < 0) throw new IllegalArgumentException(op + ": length must be >= 0, got " + n);
        if (off < 0 || (long) off + n > x.length) {
            throw new IllegalArgumentException(op + ": " + name + " needs " + n + " floats from offset " + off
                    + " but has length " + x.length);
        }
    }

    static void checkMatrix(String op, String name, float[] x, int off, int rows, int cols, int ld) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException(op + ": sizes must be >= 0, got " + rows + "x" + cols);
        if (ld < cols) throw new IllegalArgumentException(op + ": ld" + name + "=" + ld + " is smaller than the row length " + cols);
        if (rows == 0 || cols == 0) return;
        long need = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || need > x.length) {
            throw new IllegalArgumentException(op + ": " + name + " (" + rows + "x" + cols + ", ld " + ld + ", offset " + off
                    + ") needs " + need + " floats but has length " + x.length);
        }
    }
}
