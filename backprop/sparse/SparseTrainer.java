package backprop.sparse;

import backprop.BatchBuffer;
import backprop.Divergence;
import backprop.EpochLoop;
import backprop.EpochMetrics;
import backprop.Loss;
import backprop.ShuffledBatches;
import backprop.StepEngine;
import backprop.Trainer;
import backprop.TrainingListener;
import backprop.optim.LearningRateSchedule;
import backprop.optim.Sgd;
import java.util.Arrays;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * The training loop of a {@link SparseNetwork}, as {@link backprop.Trainer} for dense inputs: a
 * step is forward, loss, backward, then the dense update ({@link Sgd} over the bias and the
 * rest) and the index-based update of the first layer's present rows with the same settings
 * (learning rate, momentum, L2). Batch size 1 is the notes' per-record loop. Batches are
 * gathered from the corpus into reused CSR buffers: a step on a batch size already seen
 * allocates nothing. Epochs go through {@link EpochLoop}, which tells the listeners added here.
 */
public final class SparseTrainer implements StepEngine<SparseBatch> {
    private final SparseNetwork network;
    private final Loss loss;
    private final Sgd optimizer;
    private LearningRateSchedule schedule;
    private final SparseBatch batch;
    private final BatchBuffer targetBatch = new BatchBuffer();
    private final EpochLoop<SparseBatch> loop = new EpochLoop<>();
    private final ReviewBatches batches = new ReviewBatches();
    private EpochLoop.Validation validation;
    private long steps;
    private int epochs;

    public SparseTrainer(SparseNetwork network, Loss loss, Sgd optimizer, boolean binaryInput) {
        this.network = network;
        this.loss = loss;
        this.optimizer = optimizer;
        this.batch = new SparseBatch(network.inputFeatures(), binaryInput);
        // a loss 1000x the first epoch's stops the run after the step that exploded (as train's does)
        loop.addListener(new Divergence());
    }

    /** Tells {@code listener} of every epoch and step from now on (see {@link TrainingListener}). */
    public SparseTrainer addListener(TrainingListener listener) {
        loop.addListener(listener);
        return this;
    }

    /** Measures the network after each epoch (the validation loss and accuracy of its metrics); null: none. */
    public SparseTrainer validation(EpochLoop.Validation validation) {
        this.validation = validation;
        return this;
    }

    /** Changes the learning rate after each epoch. */
    public SparseTrainer schedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    public SparseNetwork network() { return network; }
    public Loss loss() { return loss; }
    public Sgd optimizer() { return optimizer; }
    public long steps() { return steps; }
    public int epochs() { return epochs; }

    /** One step on (x, y): forward, loss, backward, both updates. Returns the loss before the update. */
    @Override
    public double step(SparseBatch x, Tensor y) {
        Tensor out = network.forward(x, true);
        double e = Trainer.lossOf(loss, out, y, steps + 1, optimizer.learningRate());
        network.backward(loss.backward());
        optimizer.step();
        // W[word] ← W[word] − lr·∂E/∂W[word] for the words present (momentum, L2 as the optimizer)
        network.first().step(optimizer.learningRate(), optimizer.momentum(),
                optimizer.regularization().l1(), optimizer.regularization().l2());
        steps++;
        return e;
    }

    /**
     * One pass over the rows of {@code data} with targets {@code y} ({@code [n]} class indices or
     * {@code [n, outputs]}), in batches of {@code batchSize}, shuffled by {@code shuffle} (data
     * order when null). Returns the mean loss over the records, then lets the schedule set the rate.
     */
    public double epoch(SparseBatch data, Tensor y, int batchSize, SplittableRandom shuffle) {
        return epochMetrics(data, y, batchSize, shuffle).trainLoss();
    }

    /** {@link #epoch} with the whole record the listeners get: losses, validation, rate, time. */
    public EpochMetrics epochMetrics(SparseBatch data, Tensor y, int batchSize, SplittableRandom shuffle) {
        int n = data.rows();
        if (n == 0) throw new IllegalArgumentException("training data: no rows");
        if (data.cols() != network.inputFeatures()) {
            throw new IllegalArgumentException("training data: " + data.cols() + " columns for a network of " + network.inputFeatures() + " inputs");
        }
        if (y.dim(0) != n || y.rank() > 2 || !y.contiguous()) {
            throw new IllegalArgumentException("training targets: expected [" + n + "] or [" + n + ", outputs], got " + Arrays.toString(y.shape()));
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        batches.start(data, y, Math.min(batchSize, n), shuffle);
        EpochMetrics m = loop.epoch(epochs + 1, steps, batches, this, optimizer.learningRate(), validation);
        if (schedule != null) optimizer.setLearningRate(schedule.next(epochs, m.trainLoss(), optimizer.learningRate()));
        epochs++;
        return m;
    }

    /** The reviews in a shuffled order, gathered batch by batch into the reused CSR batch and target buffer. */
    private final class ReviewBatches extends ShuffledBatches<SparseBatch> {
        private SparseBatch data;
        private Tensor y, yb;
        private int cols;

        void start(SparseBatch data, Tensor y, int batchSize, SplittableRandom shuffle) {
            this.data = data;
            this.y = y;
            this.cols = y.rank() == 2 ? y.dim(1) : 1;
            start(data.rows(), batchSize, shuffle);
        }

        @Override public SparseBatch x() { return batch; }
        @Override public Tensor y() { return yb; }

        @Override
        protected void gather(int[] order, int start, int rows) {
            batch.clear();
            yb = y.rank() == 2 ? targetBatch.get(rows, cols) : targetBatch.get(rows);
            for (int r = 0; r < rows; r++) {
                int row = order[start + r];
                batch.addRow(data, row);
                System.arraycopy(y.data(), y.offset() + row * cols, yb.data(), r * cols, cols);
            }
        }
    }
}
