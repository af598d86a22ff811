package backprop;

import java.util.random.RandomGenerator;

/**
 * The batches of an epoch over {@code n} rows: the order is drawn once ({@link Shuffle}), then each
 * batch is the next slice of it, which {@link #gather} copies into the batch's reused buffers.
 */
public abstract class ShuffledBatches<X> implements EpochLoop.Batches<X> {
    private int[] order = new int[0];
    private int n, batchSize, start, rows;

    /** Starts an epoch over {@code n} rows in batches of {@code batchSize}, in the order drawn from {@code shuffle} (data order when null). */
    protected void start(int n, int batchSize, RandomGenerator shuffle) {
        this.n = n;
        this.batchSize = batchSize;
        this.start = 0;
        this.rows = 0;
        if (order.length != n) order = new int[n];
        Shuffle.order(order, n, shuffle);
    }

    /** Copies rows {@code order[start, start + rows)} into the batch. */
    protected abstract void gather(int[] order, int start, int rows);

    @Override public int batches() { return (n + batchSize - 1) / batchSize; }
    @Override public int rows() { return rows; }

    @Override
    public boolean next() {
        start += rows;
        if (start >= n) return false;
        rows = Math.min(batchSize, n - start);
        gather(order, start, rows);
        return true;
    }
}
