package app.serve;

import java.util.Arrays;
import tensor.Tensor;

/**
 * A {@code [rows, cols]} buffer whose Tensor view is kept for every row count it has been asked
 * for: batches of any mix of sizes reuse their views, so after warm-up no batch allocates one
 * (backprop's BatchBuffer keeps only the last shape's).
 */
final class RowViews {
    private final int cols;
    private float[] storage = new float[0];
    private Tensor[] views = new Tensor[0];

    RowViews(int cols) {
        this.cols = cols;
    }

    /** The buffer as {@code [rows, cols]} (contents unspecified). */
    Tensor get(int rows) {
        if ((long) rows * cols > storage.length) {
            storage = new float[Math.multiplyExact(Math.max(rows, 2 * storage.length / Math.max(1, cols)), cols)];
            Arrays.fill(views, null); // they view the old storage
        }
        if (rows >= views.length) views = Arrays.copyOf(views, Math.max(rows + 1, 2 * views.length));
        Tensor v = views[rows];
        if (v == null) views[rows] = v = Tensor.ofSlice(storage, 0, rows, cols);
        return v;
    }

    /** The storage behind every view (the views are its first rows·cols floats). */
    float[] storage() { return storage; }
}
