package data;

import backprop.Shuffle;
import tensor.Tensor;

/**
 * Minibatches of a Dataset, epoch after epoch, into buffers allocated once.
 *
 * <p>Each epoch {@code e} visits every example once, in an order shuffled from (seed, e) — so a
 * resumed run sees the same order as an uninterrupted one. Each example is copied into the batch
 * buffer, augmented (the transform's randomness seeded from (seed, e, example index)),
 * then normalized (without augmentation the features are normalized once, into a private copy,
 * at construction). The last batch of an epoch holds the remainder (n mod batchSize) when there
 * is one; {@link #size()} says how many rows the current batch has, and {@link #x()},
 * {@link #y()} and {@link #oneHot()} are sized to it. No allocation happens in {@link #next()}.
 *
 * <pre>{@code
 * Loader loader = new Loader(train, 64, true, seed, Normalization.global(train), null);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     loader.startEpoch(epoch);
 *     while (loader.next()) step(loader.x(), loader.y());
 * }
 * }</pre>
 */
public final class Loader {
    private static final long SHUFFLE_STREAM = 1;
    private static final long AUGMENT_STREAM = 2;

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final Normalization normalization;
    private final Transform augment;
    private final ImageShape imageShape;
    private final Tensor source;
    private final boolean normalizePerBatch;
    private final Oversampling oversampling;  // null: each epoch visits every example once
    private final int epochLength;

    private final int[] order;
    private final Rng rng = new Rng(0);
    private final float[] scratch;
    // Full-batch buffers and views of them for the last, partial batch: created once.
    private final Tensor xFull;
    private final Tensor xLast;
    private final int[] yFull;
    private final int[] yLast;
    private final int[] idxFull;
    private final int[] idxLast;
    private final Tensor oneHotFull;
    private final Tensor oneHotLast;

    private int epoch = -1;
    private int batch = -1;
    private int size;
    private boolean oneHotFilled;

    /**
     * @param shuffle false visits the examples in dataset order (evaluation)
     * @param normalization null for none
     * @param augment null for none; needs a dataset with an image shape
     */
    public Loader(Dataset data, int batchSize, boolean shuffle, long seed, Normalization normalization, Transform augment) {
        this(data, batchSize, shuffle, seed, normalization, augment, null);
    }

    /** @param oversampling null for none; else each epoch's order is {@link Oversampling#order} (and {@code shuffle} is ignored) */
    public Loader(Dataset data, int batchSize, boolean shuffle, long seed, Normalization normalization, Transform augment,
                  Oversampling oversampling) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (augment != null && data.imageShape().isEmpty()) {
            throw new IllegalArgumentException(data.name() + " has no image shape, so it cannot be augmented");
        }
        if (normalization != null && normalization.dim() != data.dim()) {
            throw new IllegalArgumentException("normalization of " + normalization.dim() + " features for " + data.name()
                    + " with " + data.dim());
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.normalization = normalization;
        this.augment = augment;
        this.imageShape = data.imageShape().orElse(null);
        // Without augmentation, normalizing is the same every epoch: do it once on a private copy
        // (one more copy of the features in memory) and only gather rows per batch. The identity
        // (--normalize none) changes no bit: no copy, no per-batch pass.
        boolean normalizes = normalization != null && !normalization.isIdentity();
        this.source = augment == null && normalizes ? normalizedCopy(data, normalization) : data.features();
        this.normalizePerBatch = augment != null && normalizes;
        this.oversampling = oversampling;
        this.epochLength = oversampling == null ? data.size() : oversampling.epochLength();
        this.order = new int[epochLength];
        this.scratch = new float[data.dim()];
        int full = Math.min(batchSize, Math.max(1, epochLength));
        int last = epochLength % batchSize == 0 ? full : epochLength % batchSize;
        this.xFull = Tensor.zeros(full, data.dim());
        this.xLast = xFull.rows(0, last);
        this.yFull = new int[full];
        this.yLast = last == full ? yFull : new int[last];
        this.idxFull = new int[full];
        this.idxLast = last == full ? idxFull : new int[last];
        this.oneHotFull = Tensor.zeros(full, data.numClasses());
        this.oneHotLast = oneHotFull.rows(0, last);
    }

    private static Tensor normalizedCopy(Dataset data, Normalization normalization) {
        Tensor copy = Tensor.zeros(data.size(), data.dim());
        System.arraycopy(data.features().data(), data.features().offset(), copy.data(), 0, copy.size());
        for (int i = 0; i < data.size(); i++) normalization.apply(copy.data(), i * data.dim());
        return copy;
    }

    public Dataset dataset() { return data; }
    /** The configured batch size (the last batch of an epoch may be smaller: see {@link #size()}). */
    public int batchSize() { return batchSize; }
    /** Batches per epoch: ceil(n / batchSize). */
    public int batches() { return (epochLength + batchSize - 1) / batchSize; }
    /** Examples per epoch: the dataset's size, or more with oversampling. */
    public int epochLength() { return epochLength; }
    public int epoch() { return epoch; }
    /** The index of the current batch in its epoch. */
    public int batchIndex() { return batch; }
    /** Rows in the current batch: batchSize, or the remainder for the last one. */
    public int size() { return size; }
    /** True when the current batch is the last, partial one. */
    public boolean partial() { return size < batchSize; }

    /** Starts epoch {@code e} (0-based): the order is a function of (seed, e) only. */
    public void startEpoch(int e) {
        epoch = e;
        batch = -1;
        size = 0;
        if (oversampling != null) {
            oversampling.order(seed, e, order);
            return;
        }
        Shuffle.order(order, order.length, shuffle ? rng.seed(Rng.mix(seed, SHUFFLE_STREAM, e)) : null);
    }

    /** Fills the next batch; false when the epoch is done. */
    public boolean next() {
        if (epoch < 0) throw new IllegalStateException("call startEpoch(e) before next()");
        int from = (batch + 1) * batchSize;
        if (from >= epochLength) return false;
        batch++;
        size = Math.min(batchSize, epochLength - from);
        int[] y = y();
        int[] idx = indices();
        float[] src = source.data();
        int srcOff = source.offset();
        float[] dst = xFull.data();
        int d = data.dim();
        for (int r = 0; r < size; r++) {
            int example = order[from + r];
            idx[r] = example;
            y[r] = data.labels()[example];
            System.arraycopy(src, srcOff + example * d, dst, r * d, d);
            if (augment != null) {
                rng.seed(Rng.mix(seed, AUGMENT_STREAM, (long) epoch << 32 | example));
                augment.apply(dst, r * d, imageShape, rng, scratch);
            }
            if (normalizePerBatch) normalization.apply(dst, r * d);
        }
        oneHotFilled = false;
        return true;
    }

    /** The current batch's features [size(), d] (a reused buffer: copy what must outlive the batch). */
    public Tensor x() {
        return size == batchSize || size == xFull.dim(0) ? xFull : xLast;
    }

    /** The current batch's labels, length size() (a reused buffer). */
    public int[] y() {
        return size == yFull.length ? yFull : yLast;
    }

    /** The dataset index of each row of the current batch, length size() (for top losses). */
    public int[] indices() {
        return size == idxFull.length ? idxFull : idxLast;
    }

    /** The current labels as one-hot rows [size(), numClasses] (filled on first use per batch). */
    public Tensor oneHot() {
        Tensor t = size == oneHotFull.dim(0) ? oneHotFull : oneHotLast;
        if (!oneHotFilled) {
            fillOneHot(y(), t.data(), t.offset(), data.numClasses());
            oneHotFilled = true;
        }
        return t;
    }

    /** Writes one-hot rows of {@code labels} into {@code out} [labels.length, numClasses]. */
    public static void oneHot(int[] labels, Tensor out) {
        if (out.rank() != 2 || out.dim(0) != labels.length || !out.contiguous()) {
            throw new IllegalArgumentException("one-hot of " + labels.length + " labels needs a contiguous [" + labels.length
                    + ", classes] tensor, got shape " + java.util.Arrays.toString(out.shape()));
        }
        int k = out.dim(1);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= k) throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is outside [0, " + k + ")");
        }
        fillOneHot(labels, out.data(), out.offset(), k);
    }

    /** Rows of k floats at {@code off}: 1 at the label, 0 elsewhere (labels already checked; no allocation). */
    private static void fillOneHot(int[] labels, float[] a, int off, int k) {
        java.util.Arrays.fill(a, off, off + labels.length * k, 0f);
        for (int i = 0; i < labels.length; i++) a[off + i * k + labels[i]] = 1f;
    }
}
