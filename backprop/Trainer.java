package backprop;

import backprop.optim.LearningRateSchedule;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * The training loop: a step is forward, loss, backward, update; an epoch is a pass over a data
 * set in batches. The batch size chooses the flavour of gradient descent:
 * {@code batchSize = n} (or {@link #FULL_BATCH}) is full-batch, 1 is per-record (stochastic),
 * anything between is minibatch. With a mean loss the gradient is the batch mean, so the update
 * is w ← w − η·Δw/m as in the notes.
 *
 * <p>A non-finite loss stops training with an {@link ArithmeticException} that names the step,
 * the first bad element and the learning rate, before the NaN reaches the weights.
 */
public final class Trainer {
    /** Batch size meaning "the whole data set in one batch". */
    public static final int FULL_BATCH = Integer.MAX_VALUE;

    private final Network network;
    private final Loss loss;
    private final Optimizer optimizer;
    private LearningRateSchedule schedule;
    private final BatchBuffer xBatch = new BatchBuffer();
    private final BatchBuffer yBatch = new BatchBuffer();
    private int[] order = new int[0];
    private long steps;
    private int epochs;

    public Trainer(Network network, Loss loss, Optimizer optimizer) {
        this.network = network;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /** Changes the learning rate after each epoch (step, exponential, reduce-on-plateau). */
    public Trainer schedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    public Network network() { return network; }
    public Loss loss() { return loss; }
    public Optimizer optimizer() { return optimizer; }
    /** Steps taken so far. */
    public long steps() { return steps; }
    /** Epochs completed so far. */
    public int epochs() { return epochs; }

    /** One step on the batch (x, y): forward in training mode, loss, backward, update. Returns the loss before the update. */
    public double step(Tensor x, Tensor y) {
        Tensor out = network.forward(x, true);
        double e = lossOf(loss, out, y, steps + 1, optimizer.learningRate());
        network.backwardParameters(loss.backward());
        optimizer.step();
        steps++;
        return e;
    }

    /**
     * E(out, y) for step number {@code step}; a non-finite loss is rethrown naming the step and
     * the learning rate, before its NaN reaches the weights (shared with the sparse trainer).
     */
    public static double lossOf(Loss loss, Tensor out, Tensor y, long step, float learningRate) {
        try {
            return loss.forward(out, y);
        } catch (ArithmeticException nonFinite) {
            throw new ArithmeticException("step " + step + ": " + nonFinite.getMessage()
                    + " (learning rate " + learningRate + "; a smaller one may help)");
        }
    }

    /**
     * One pass over (x, y) in batches of {@code batchSize} rows, in the order drawn from
     * {@code shuffle} (data order when null); returns the mean loss over the records and then
     * lets the schedule set the learning rate. Batches are gathered into buffers reused across epochs.
     */
    public double epoch(Tensor x, Tensor y, int batchSize, SplittableRandom shuffle) {
        BatchBuffer.requireBatch(x, "training inputs", network.inputFeatures());
        int n = x.dim(0);
        if (y.dim(0) != n) {
            throw new IllegalArgumentException("training targets: " + y.dim(0) + " rows for " + n + " input rows");
        }
        if (y.rank() > 2 || y.transposed()) throw new IllegalArgumentException("training targets: expected [n] or [n, outputs], got " + java.util.Arrays.toString(y.shape()));
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        int b = Math.min(batchSize, n);
        if (order.length != n) {
            order = new int[n];
        }
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle != null) {
            // Fisher-Yates
            for (int i = n - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i]; order[i] = order[j]; order[j] = t;
            }
        }
        double sum = 0;
        for (int start = 0; start < n; start += b) {
            int rows = Math.min(b, n - start);
            Tensor xb = gather(x, start, rows, xBatch);
            Tensor yb = gather(y, start, rows, yBatch);
            sum += step(xb, yb) * rows;
        }
        double mean = sum / n;
        if (schedule != null) optimizer.setLearningRate(schedule.next(epochs, mean, optimizer.learningRate()));
        epochs++;
        return mean;
    }

    /** Rows order[start .. start+rows) of t into a reused buffer. */
    private Tensor gather(Tensor t, int start, int rows, BatchBuffer buffer) {
        int cols = t.rank() == 2 ? t.dim(1) : 1;
        Tensor dst = t.rank() == 2 ? buffer.get(rows, cols) : buffer.get(rows);
        int ld = t.rank() == 2 ? t.ld() : 1;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(t.data(), t.offset() + order[start + r] * ld, dst.data(), r * cols, cols);
        }
        return dst;
    }
}
