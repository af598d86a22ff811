package backprop;

import java.util.Map;
import tensor.Tensor;

/**
 * The one epoch driver of every training loop: it takes the batches of an epoch in order, runs
 * each step on a {@link StepEngine} (waiting for it, or a few steps behind it under a pipelined
 * engine), keeps the epoch's mean loss, measures the network after the epoch and tells the
 * {@link TrainingListener}s, in the order they were added. {@link Trainer}, the sparse trainer and
 * the command-line run all go through it.
 */
public final class EpochLoop<X> {
    /** A pass over a data set in batches; the batch's tensors may be reused by the next {@link #next()}. */
    public interface Batches<X> {
        /** The batches of one epoch. */
        int batches();

        /** Gathers the next batch; false when the epoch is done. */
        boolean next();

        X x();

        Tensor y();

        int rows();
    }

    /**
     * The network measured after an epoch: validation loss, accuracy, and any figures a run adds;
     * {@code validated} is false when the run has no validation set (then loss and accuracy are NaN).
     */
    public record Measured(double loss, double accuracy, Map<String, Double> extra, boolean validated) {
        public Measured(double loss, double accuracy, Map<String, Double> extra) {
            this(loss, accuracy, extra, true);
        }

        public Measured(double loss, double accuracy) {
            this(loss, accuracy, Map.of(), true);
        }

        /** No validation set: only the figures a run adds. */
        public static Measured none(Map<String, Double> extra) {
            return new Measured(Double.NaN, Double.NaN, extra, false);
        }
    }

    /** Measures the network after an epoch (the validation set's loss and accuracy). */
    public interface Validation {
        Measured measure();
    }

    private TrainingListener[] listeners = new TrainingListener[0];
    private int[] rowsInFlight = new int[1];
    // the epoch under way
    private int epoch, done;
    private long stepsBefore, seen, submitted, taken;
    private double sum;

    /** Adds a listener; listeners are told in the order they were added. */
    public EpochLoop<X> addListener(TrainingListener listener) {
        listeners = java.util.Arrays.copyOf(listeners, listeners.length + 1);
        listeners[listeners.length - 1] = listener;
        return this;
    }

    /** True when a listener asks to end the run after the epoch just told (early stopping, pruning). */
    public boolean stopRequested() {
        for (TrainingListener l : listeners) if (l.stopRequested()) return true;
        return false;
    }

    /**
     * Trains epoch {@code epoch} (1-based) over {@code batches} on {@code engine}, then measures it with
     * {@code validation} (none: NaN figures) and tells the listeners.
     *
     * @param stepsBefore  steps the run took before this epoch
     * @param learningRate the rate the epoch's steps use (recorded in the metrics)
     * @throws Divergence.Diverged when the validation loss is not finite
     */
    public EpochMetrics epoch(int epoch, long stepsBefore, Batches<X> batches, StepEngine<X> engine, float learningRate,
                              Validation validation) {
        for (TrainingListener l : listeners) l.onEpochStart(epoch, batches.batches());
        long t0 = System.nanoTime();
        int depth = engine.pipelineDepth();
        if (rowsInFlight.length < depth + 1) rowsInFlight = new int[depth + 1];
        this.epoch = epoch;
        this.stepsBefore = stepsBefore;
        sum = 0;
        seen = 0;
        done = 0;
        submitted = 0;
        taken = 0;
        try {
            while (batches.next()) {
                int rows = batches.rows();
                if (depth == 0) {
                    add(rows, engine.step(batches.x(), batches.y()));
                } else {
                    engine.submit(batches.x(), batches.y());
                    rowsInFlight[(int) (submitted++ % rowsInFlight.length)] = rows;
                    if (submitted - taken > depth) take(engine);
                }
            }
            while (submitted > taken) take(engine);
        } catch (RuntimeException failure) {
            // a failed step (a non-finite loss, say) leaves later ones in flight: wait for them, so the engine stays usable
            if (submitted > taken) {
                try {
                    engine.discardInFlight();
                } catch (RuntimeException alsoFailed) {
                    failure.addSuppressed(alsoFailed);  // the first failure is the one to report
                }
            }
            throw failure;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        engine.syncNetwork();
        for (TrainingListener l : listeners) l.onEpochTrained(epoch);
        Measured m = validation == null ? Measured.none(Map.of()) : validation.measure();
        if (m.validated() && !Double.isFinite(m.loss())) {
            throw new Divergence.Diverged(String.format(java.util.Locale.ROOT, "epoch %d: the validation loss is %s", epoch, m.loss()));
        }
        // the float rate as its shortest decimal (0.1, not the 0.10000000149011612 a widening gives)
        EpochMetrics metrics = new EpochMetrics(epoch, stepsBefore + done, sum / seen, m.loss(), m.accuracy(), Double.parseDouble(Float.toString(learningRate)),
                seconds, seen / seconds, m.extra());
        for (TrainingListener l : listeners) l.onEpoch(metrics);
        return metrics;
    }

    /** The loss of the oldest submitted step. */
    private void take(StepEngine<X> engine) {
        int rows = rowsInFlight[(int) (taken++ % rowsInFlight.length)];
        add(rows, engine.takeLoss());
    }

    /** A step's loss is its batch's mean: weighed by its rows for the epoch's mean over examples. */
    private void add(int rows, double loss) {
        sum += loss * rows;
        seen += rows;
        done++;
        for (TrainingListener l : listeners) l.onTrainingBatch(epoch, stepsBefore + done, done, rows, loss, sum / seen, seen);
    }
}
