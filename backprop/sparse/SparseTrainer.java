package backprop.sparse;

import backprop.BatchBuffer;
import backprop.Divergence;
import backprop.Loss;
import backprop.Trainer;
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
 * allocates nothing.
 */
public final class SparseTrainer {
    private final SparseNetwork network;
    private final Loss loss;
    private final Sgd optimizer;
    private LearningRateSchedule schedule;
    private final SparseBatch batch;
    private final BatchBuffer targetBatch = new BatchBuffer();
    private int[] order = new int[0];
    private long steps;
    private int epochs;
    private final Divergence divergence = new Divergence();

    public SparseTrainer(SparseNetwork network, Loss loss, Sgd optimizer, boolean binaryInput) {
        this.network = network;
        this.loss = loss;
        this.optimizer = optimizer;
        this.batch = new SparseBatch(network.inputFeatures(), binaryInput);
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
    public double step(SparseBatch x, Tensor y) {
        Tensor out = network.forward(x, true);
        double e = Trainer.lossOf(loss, out, y, steps + 1, optimizer.learningRate());
        // a loss 1000x the first epoch's stops the run before the next update (as train's Divergence does)
        divergence.step(steps + 1, epochs + 1, e);
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
        int n = data.rows();
        if (n == 0) throw new IllegalArgumentException("training data: no rows");
        if (data.cols() != network.inputFeatures()) {
            throw new IllegalArgumentException("training data: " + data.cols() + " columns for a network of " + network.inputFeatures() + " inputs");
        }
        if (y.dim(0) != n || y.rank() > 2 || !y.contiguous()) {
            throw new IllegalArgumentException("training targets: expected [" + n + "] or [" + n + ", outputs], got " + Arrays.toString(y.shape()));
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        int b = Math.min(batchSize, n);
        if (order.length != n) order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle != null) {
            // Fisher-Yates
            for (int i = n - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i]; order[i] = order[j]; order[j] = t;
            }
        }
        int cols = y.rank() == 2 ? y.dim(1) : 1;
        double sum = 0;
        for (int start = 0; start < n; start += b) {
            int rows = Math.min(b, n - start);
            batch.clear();
            Tensor yb = y.rank() == 2 ? targetBatch.get(rows, cols) : targetBatch.get(rows);
            for (int r = 0; r < rows; r++) {
                int row = order[start + r];
                batch.addRow(data, row);
                System.arraycopy(y.data(), y.offset() + row * cols, yb.data(), r * cols, cols);
            }
            sum += step(batch, yb) * rows;
        }
        double mean = sum / n;
        divergence.trainLoss(epochs + 1, mean);
        if (schedule != null) optimizer.setLearningRate(schedule.next(epochs, mean, optimizer.learningRate()));
        epochs++;
        return mean;
    }
}
