package backprop;

import java.util.Arrays;
import tensor.Tensor;

/**
 * A reusable {@code [rows, cols]} tensor for a layer's output or gradient. {@link #get} returns the
 * same Tensor while the shape stays the same, so a training step allocates nothing once its batch
 * size has been seen; a new shape (the last, shorter batch of an epoch) gets a view over the same
 * storage when it fits, and new storage only when it grows.
 */
public final class BatchBuffer {
    private float[] storage = new float[0];
    private Tensor view;

    /** The buffer as a contiguous {@code [rows, cols]} tensor (contents unspecified). */
    public Tensor get(int rows, int cols) {
        Tensor v = view;
        if (v != null && v.dim(0) == rows && v.dim(1) == cols) return v;
        long need = (long) rows * cols;
        if (need > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("buffer of " + rows + "x" + cols + " floats is larger than a Java array");
        }
        if (need > storage.length) storage = new float[(int) need];
        view = Tensor.ofSlice(storage, 0, rows, cols);
        return view;
    }

    /** The buffer as a contiguous {@code [n]} tensor, a vector per batch row or per class. */
    public Tensor get(int n) {
        Tensor v = view;
        if (v != null && v.rank() == 1 && v.dim(0) == n) return v;
        if (n > storage.length) storage = new float[n];
        view = Tensor.ofSlice(storage, 0, n);
        return view;
    }

    /**
     * Throws unless {@code t} is a rank-2, non-transposed batch; the message names {@code who}
     * (a layer, whose toString is built only when the check fails: nothing is allocated otherwise).
     */
    public static void requireBatch(Tensor t, Object who, int features) {
        if (t.rank() != 2 || t.transposed() || (features >= 0 && t.dim(1) != features)) {
            throw new IllegalArgumentException(who + ": expected input [batch, " + (features >= 0 ? features : "features")
                    + "] but got " + Arrays.toString(t.shape()) + (t.transposed() ? " (a transposed view)" : ""));
        }
    }

    /**
     * True when {@code t} (rank 1 or 2) is row-major with no gap between rows. Unlike
     * {@link Tensor#contiguous()} it allocates nothing, so a training step can ask.
     */
    public static boolean isContiguous(Tensor t) {
        if (t.rank() == 1) return true; // every rank-1 Tensor view has stride 1
        return t.rank() == 2 && !t.transposed() && t.ld() == t.dim(1);
    }

    /** Throws unless {@code g} is a contiguous {@code [rows, cols]} gradient; the message names {@code who}. */
    public static void requireGradient(Tensor g, Object who, int rows, int cols) {
        if (g.rank() != 2 || g.dim(0) != rows || g.dim(1) != cols || !isContiguous(g)) {
            throw new IllegalArgumentException(who + ": expected a contiguous gradient [" + rows + ", " + cols + "] but got "
                    + Arrays.toString(g.shape()) + (g.rank() == 2 && !isContiguous(g) ? " (a strided view)" : ""));
        }
    }

    /** Throws unless {@code t} is a contiguous batch, as elementwise layers read it flat. */
    public static void requireContiguousBatch(Tensor t, Object who, int features) {
        requireBatch(t, who, features);
        if (!isContiguous(t)) {
            throw new IllegalArgumentException(who + ": needs contiguous input, got a strided view of shape "
                    + Arrays.toString(t.shape()) + " (copy() it first)");
        }
    }
}
