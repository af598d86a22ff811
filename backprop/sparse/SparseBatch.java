package backprop.sparse;

import java.util.Arrays;

/**
 * A batch of sparse rows in CSR form, {@code [rows][cols]}: row r holds the column indices
 * {@code indices[rowStart(r) .. rowEnd(r))}, strictly ascending, and their values
 * {@code values[...]} at the same positions, or no values at all for a <em>binary</em> batch
 * (every stored entry is 1: "set the value to 1 if the word exists").
 *
 * <pre>
 * rowPointers  [0, 3, 5]          row 0 = {2: 1, 7: 1, 9: 1}, row 1 = {0: 1, 7: 1}
 * indices      [2, 7, 9, 0, 7]
 * values       null (binary)  or  [1, 2, 1, 3, 1] (counts)
 * </pre>
 *
 * <p>The arrays are buffers reused across {@link #clear()}: they grow (doubling) only when a
 * batch needs more room than any batch before it, so building batches of a corpus allocates
 * nothing once the largest one has been seen. A whole corpus is a SparseBatch as well; training
 * batches are gathered from it with {@link #addRow(SparseBatch, int)}.
 */
public final class SparseBatch {
    private final int cols;
    private final boolean binary;
    private int rows;
    private int[] rowPointers = new int[17];
    private int[] indices = new int[256];
    private float[] values;

    /** An empty batch of rows with {@code cols} columns; {@code binary}: entries are 1 and no values are stored. */
    public SparseBatch(int cols, boolean binary) {
        if (cols < 1) throw new IllegalArgumentException("sparse batch: cols must be >= 1, got " + cols);
        this.cols = cols;
        this.binary = binary;
        this.values = binary ? null : new float[256];
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    /** True when every stored entry is 1 and {@link #values()} is null. */
    public boolean binary() { return binary; }
    /** Stored entries in all rows. */
    public int nonZeros() { return rowPointers[rows]; }
    /** Row pointers: row r spans {@code [rowPointers[r], rowPointers[r+1])}; {@code rows + 1} of them are valid. */
    public int[] rowPointers() { return rowPointers; }
    /** Column indices, ascending within each row; {@link #nonZeros()} of them are valid. */
    public int[] indices() { return indices; }
    /** Values beside {@link #indices()}, or null for a binary batch. */
    public float[] values() { return values; }
    public int rowStart(int r) { return rowPointers[r]; }
    public int rowEnd(int r) { return rowPointers[r + 1]; }

    /** Empties the batch, keeping its buffers. */
    public SparseBatch clear() {
        rows = 0;
        return this;
    }

    /**
     * Appends a row of {@code n} entries: columns {@code cols[from .. from+n)} (strictly ascending,
     * in {@code [0, cols())}) with values {@code vals[from ..]}, which must be null for a binary
     * batch and finite otherwise.
     */
    public SparseBatch addRow(int[] columns, float[] vals, int from, int n) {
        if (binary != (vals == null)) {
            throw new IllegalArgumentException("sparse batch: " + (binary ? "a binary batch takes no values" : "a valued batch needs values"));
        }
        int start = rowPointers[rows];
        for (int i = 0; i < n; i++) {
            int c = columns[from + i];
            if (c < 0 || c >= cols) {
                throw new IllegalArgumentException("sparse batch row " + rows + ": column " + c + " is outside [0, " + cols + ")");
            }
            if (i > 0 && c <= columns[from + i - 1]) {
                throw new IllegalArgumentException("sparse batch row " + rows + ": columns must be strictly ascending, got "
                        + columns[from + i - 1] + " then " + c);
            }
            if (vals != null && !Float.isFinite(vals[from + i])) {
                throw new IllegalArgumentException("sparse batch row " + rows + ": value " + vals[from + i] + " at column " + c);
            }
        }
        reserve(rows + 1, start + n);
        System.arraycopy(columns, from, indices, start, n);
        if (vals != null) System.arraycopy(vals, from, values, start, n);
        rowPointers[++rows] = start + n;
        return this;
    }

    /** Appends row {@code r} of {@code src} (same columns and kind), already validated there. */
    public SparseBatch addRow(SparseBatch src, int r) {
        if (src.cols != cols || src.binary != binary) {
            throw new IllegalArgumentException("sparse batch: cannot copy a row of a " + src.describe() + " into a " + describe());
        }
        int from = src.rowPointers[r], n = src.rowPointers[r + 1] - from, start = rowPointers[rows];
        reserve(rows + 1, start + n);
        System.arraycopy(src.indices, from, indices, start, n);
        if (!binary) System.arraycopy(src.values, from, values, start, n);
        rowPointers[++rows] = start + n;
        return this;
    }

    /** Row {@code r} as a dense vector into {@code dst[off .. off+cols)}, zeros elsewhere (for tests and the dense baseline). */
    public void densifyRow(int r, float[] dst, int off) {
        Arrays.fill(dst, off, off + cols, 0f);
        for (int p = rowPointers[r]; p < rowPointers[r + 1]; p++) dst[off + indices[p]] = binary ? 1f : values[p];
    }

    private void reserve(int rowCount, int entries) {
        if (rowCount + 1 > rowPointers.length) rowPointers = Arrays.copyOf(rowPointers, Math.max(rowCount + 1, 2 * rowPointers.length));
        if (entries > indices.length) {
            int cap = (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(entries, 2L * indices.length));
            indices = Arrays.copyOf(indices, cap);
            if (!binary) values = Arrays.copyOf(values, cap);
        }
    }

    private String describe() {
        return (binary ? "binary" : "valued") + " batch of " + cols + " columns";
    }

    @Override
    public String toString() {
        return "SparseBatch[" + rows + " x " + cols + ", " + nonZeros() + " entries, " + (binary ? "binary" : "valued") + "]";
    }
}
