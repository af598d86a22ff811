package backprop;

import backprop.optim.LearningRateSchedule;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * The training loop: a step is forward, loss, backward, update; an epoch is a pass over a data
 * set in batches, driven by {@link EpochLoop}, which tells the {@link TrainingListener}s added here. The batch size chooses the flavour of gradient descent:
 * {@code batchSize = n} (or {@link #FULL_BATCH}) is full-batch, 1 is per-record (stochastic),
 * anything between is minibatch. With a mean loss the gradient is the batch mean, so the update
 * is w ← w − η·Δw/m as in the notes.
 *
 * <p>A non-finite loss stops training with an {@link ArithmeticException} that names the step,
 * the first bad element and the learning rate, before the NaN reaches the weights.
 */
public final class Trainer implements StepEngine<Tensor> {
    /** Batch size meaning "the whole data set in one batch". */
    public static final int FULL_BATCH = Integer.MAX_VALUE;

    private final Network network;
    private final Loss loss;
    private final Optimizer optimizer;
    private LearningRateSchedule schedule;
    private final BatchBuffer xBatch = new BatchBuffer();
    private final BatchBuffer yBatch = new BatchBuffer();
    private final EpochLoop<Tensor> loop = new EpochLoop<>();
    private final RowBatches batches = new RowBatches();
    private EpochLoop.Validation validation;
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

    /** Tells {@code listener} of every epoch and step from now on (see {@link TrainingListener}). */
    public Trainer addListener(TrainingListener listener) {
        loop.addListener(listener);
        return this;
    }

    /** Measures the network after each epoch (the validation loss and accuracy of its metrics); null: none. */
    public Trainer validation(EpochLoop.Validation validation) {
        this.validation = validation;
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
    @Override
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
        return epochMetrics(x, y, batchSize, shuffle).trainLoss();
    }

    /** {@link #epoch} with the whole record the listeners get: losses, validation, rate, time. */
    public EpochMetrics epochMetrics(Tensor x, Tensor y, int batchSize, SplittableRandom shuffle) {
        BatchBuffer.requireBatch(x, "training inputs", network.inputFeatures());
        int n = x.dim(0);
        if (y.dim(0) != n) {
            throw new IllegalArgumentException("training targets: " + y.dim(0) + " rows for " + n + " input rows");
        }
        if (y.rank() > 2 || y.transposed()) throw new IllegalArgumentException("training targets: expected [n] or [n, outputs], got " + java.util.Arrays.toString(y.shape()));
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        batches.start(x, y, Math.min(batchSize, n), shuffle);
        EpochMetrics m = loop.epoch(epochs + 1, steps, batches, this, optimizer.learningRate(), validation);
        if (schedule != null) optimizer.setLearningRate(schedule.next(epochs, m.trainLoss(), optimizer.learningRate()));
        epochs++;
        return m;
    }

    /** The rows of (x, y) in a shuffled order, gathered batch by batch into buffers reused across epochs. */
    private final class RowBatches extends ShuffledBatches<Tensor> {
        private Tensor x, y, xb, yb;

        void start(Tensor x, Tensor y, int batchSize, SplittableRandom shuffle) {
            this.x = x;
            this.y = y;
            start(x.dim(0), batchSize, shuffle);
        }

        @Override public Tensor x() { return xb; }
        @Override public Tensor y() { return yb; }

        @Override
        protected void gather(int[] order, int start, int rows) {
            xb = gather(x, order, start, rows, xBatch);
            yb = gather(y, order, start, rows, yBatch);
        }

        /** Rows order[start .. start+rows) of t into a reused buffer. */
        private Tensor gather(Tensor t, int[] order, int start, int rows, BatchBuffer buffer) {
            int cols = t.rank() == 2 ? t.dim(1) : 1;
            Tensor dst = t.rank() == 2 ? buffer.get(rows, cols) : buffer.get(rows);
            int ld = t.rank() == 2 ? t.ld() : 1;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(t.data(), t.offset() + order[start + r] * ld, dst.data(), r * cols, cols);
            }
            return dst;
        }
    }
}
