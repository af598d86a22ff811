package tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A float32 tensor: a float[] plus an offset and a row-major shape of rank 1..4.
 *
 * <p>Data and shape only, no math. Views share the array: {@link #row}, {@link #rows},
 * {@link #reshape} and {@link #transpose} never copy. A transposed rank-2 view keeps the
 * storage of its source and sets {@link #transposed()}, which GEMM understands as
 * {@code op(A) = Aᵀ}; element access through {@link #get}/{@link #set} honours it.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] strides;
    private final boolean transposed;

    private Tensor(float[] data, int offset, int[] shape, int[] strides, boolean transposed) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.transposed = transposed;
    }

    // ---------------------------------------------------------------- factories

    /** A new tensor of zeros. */
    public static Tensor zeros(int... shape) {
        int[] s = checkShape(shape);
        return new Tensor(new float[(int) size(s)], 0, s, rowMajorStrides(s), false);
    }

    /** Wraps {@code data} (no copy) as a contiguous row-major tensor of {@code shape}. */
    public static Tensor of(float[] data, int... shape) {
        return ofSlice(data, 0, shape);
    }

    /** Wraps {@code data} from {@code offset} (no copy) as a contiguous row-major tensor. */
    public static Tensor ofSlice(float[] data, int offset, int... shape) {
        int[] s = checkShape(shape);
        long need = size(s);
        if (offset < 0 || offset + need > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " needs " + need
                    + " floats from offset " + offset + " but the array has " + data.length);
        }
        return new Tensor(data, offset, s, rowMajorStrides(s), false);
    }

    /** Normal(0, std²) entries from a seeded generator: the same seed gives the same tensor. */
    public static Tensor randn(long seed, float std, int... shape) {
        Tensor t = zeros(shape);
        fillNormal(t.data, 0, t.data.length, std, new SplittableRandom(seed));
        return t;
    }

    /** Fills {@code a[off, off+len)} with Normal(0, std²) draws (Box-Muller on {@code rng}). */
    public static void fillNormal(float[] a, int off, int len, float std, SplittableRandom rng) {
        for (int i = 0; i < len; i += 2) {
            // Box-Muller: two independent N(0,1) from two uniforms, u1 in (0,1] so log is finite.
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            a[off + i] = (float) (std * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < len) a[off + i + 1] = (float) (std * r * Math.sin(2 * Math.PI * u2));
        }
    }

    // ---------------------------------------------------------------- accessors

    public float[] data() { return data; }
    public int offset() { return offset; }
    public int rank() { return shape.length; }
    public int dim(int axis) { return shape[axis]; }
    public int[] shape() { return shape.clone(); }
    /** Number of elements. */
    public int size() { return (int) size(shape); }
    /** True for a transposed rank-2 view: element (i, j) lives at storage (j, i). */
    public boolean transposed() { return transposed; }
    /** Distance between consecutive rows in storage (the BLAS leading dimension). */
    public int ld() {
        if (shape.length == 1) return shape[0];
        return transposed ? strides[1] : strides[shape.length - 2];
    }
    /** True when the elements are {@code size()} consecutive floats in row-major order. */
    public boolean contiguous() {
        if (transposed) return false;
        // Row-major strides, checked from the last axis without allocating (layers call this per step).
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    public float get(int... index) { return data[index(index)]; }
    public void set(float value, int... index) { data[index(index)] = value; }

    private int index(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has rank "
                    + index.length + " but the tensor has shape " + Arrays.toString(shape));
        }
        int p = offset;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index)
                        + " is outside shape " + Arrays.toString(shape));
            }
            p += index[d] * strides[d];
        }
        return p;
    }

    // ---------------------------------------------------------------- views

    /** Row {@code i} of the first axis, as a view of rank − 1 (rank ≥ 2). */
    public Tensor row(int i) {
        if (shape.length < 2) throw new IllegalArgumentException("row() needs rank >= 2, shape is " + Arrays.toString(shape));
        if (transposed) throw new IllegalArgumentException("row() of a transposed view: copy it first");
        if (i < 0 || i >= shape[0]) throw new IndexOutOfBoundsException("row " + i + " of shape " + Arrays.toString(shape));
        return new Tensor(data, offset + i * strides[0], Arrays.copyOfRange(shape, 1, shape.length),
                Arrays.copyOfRange(strides, 1, strides.length), false);
    }

    /** Rows {@code [from, to)} of the first axis, as a view (a minibatch of a dataset). */
    public Tensor rows(int from, int to) {
        if (transposed) throw new IllegalArgumentException("rows() of a transposed view: copy it first");
        if (from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of shape " + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(data, offset + from * strides[0], s, strides.clone(), false);
    }

    /** The same contiguous data seen with another shape of the same size; -1 infers one axis. */
    public Tensor reshape(int... newShape) {
        if (!contiguous()) throw new IllegalArgumentException("reshape needs contiguous data; shape " + Arrays.toString(shape) + " is a strided view");
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int d = 0; d < s.length; d++) {
            if (s[d] == -1 && infer < 0) infer = d; else known *= s[d];
        }
        if (infer >= 0 && known > 0 && size() % known == 0) s[infer] = (int) (size() / known);
        checkShape(s);
        if (size(s) != size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " (" + size()
                    + " elements) to " + Arrays.toString(newShape) + " (" + size(s) + " elements)");
        }
        return new Tensor(data, offset, s, rowMajorStrides(s), false);
    }

    /** The transpose of a rank-2 tensor, as a flag on the same storage (no copy). */
    public Tensor transpose() {
        if (shape.length != 2) throw new IllegalArgumentException("transpose needs rank 2, shape is " + Arrays.toString(shape));
        return new Tensor(data, offset, new int[] {shape[1], shape[0]},
                new int[] {strides[1], strides[0]}, !transposed);
    }

    /** A contiguous copy (materializes a transposed or strided view). */
    public Tensor copy() {
        Tensor t = zeros(shape);
        int n = size();
        int[] idx = new int[shape.length];
        for (int i = 0; i < n; i++) {
            t.data[i] = data[index(idx)];
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
        }
        return t;
    }

    /** Copies {@code src} (same shape) into this tensor. */
    public Tensor copyFrom(Tensor src) {
        requireSameShape(this, src, "copyFrom");
        if (contiguous() && src.contiguous()) {
            System.arraycopy(src.data, src.offset, data, offset, size());
        } else {
            Tensor c = src.contiguous() ? src : src.copy();
            int[] idx = new int[shape.length];
            for (int i = 0; i < size(); i++) {
                data[index(idx)] = c.data[c.offset + i];
                for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
            }
        }
        return this;
    }

    /** Sets every element to {@code value} (contiguous tensors). */
    public Tensor fill(float value) {
        if (!contiguous()) throw new IllegalArgumentException("fill needs contiguous data, shape " + Arrays.toString(shape));
        Arrays.fill(data, offset, offset + size(), value);
        return this;
    }

    // ---------------------------------------------------------------- shape checks

    /** Throws unless {@code a} and {@code b} have the same shape; the message names both. */
    public static void requireSameShape(Tensor a, Tensor b, String what) {
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new IllegalArgumentException(what + ": shapes differ, " + Arrays.toString(a.shape)
                    + " vs " + Arrays.toString(b.shape));
        }
    }

    /** Throws unless {@code t} has exactly {@code expected} shape; the message names both. */
    public static void requireShape(Tensor t, String what, int... expected) {
        if (!Arrays.equals(t.shape, expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Arrays.toString(expected)
                    + " but got " + Arrays.toString(t.shape));
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape));
        if (transposed) sb.append("ᵀ-view");
        if (size() <= 16) sb.append(' ').append(Arrays.toString(copy().data));
        return sb.toString();
    }

    // ---------------------------------------------------------------- helpers

    private static int[] checkShape(int[] shape) {
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("rank must be 1..4, shape is " + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        if (size(shape) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + size(shape)
                    + " elements, more than a Java array holds");
        }
        return shape.clone();
    }

    /** Element count, saturating at Long.MAX_VALUE so that a hostile shape cannot wrap around. */
    private static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / d) return Long.MAX_VALUE;
            n *= d;
        }
        return n;
    }

    private static int[] rowMajorStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= shape[d];
        }
        return st;
    }
}
