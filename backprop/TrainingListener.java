package backprop;

/**
 * What watches a training run: progress bars, metrics logs, TensorBoard, divergence checks, a
 * tuner's results log. Every training loop ({@link Trainer}, the sparse trainer, the command-line run)
 * drives its epochs through {@link EpochLoop}, which calls these in order, so a listener written
 * once works on all of them. Every method has an empty default; a listener throws to stop the run
 * (a diverged loss) or answers {@link #stopRequested()} to end it after an epoch (a budget, a
 * condition of the caller's).
 *
 * <p>{@link #onTrainingBatch} runs after every step: it takes primitives, so that calling it
 * allocates nothing.
 */
public interface TrainingListener {
    /** Epoch {@code epoch} (1-based) starts; it will take {@code batches} steps. */
    default void onEpochStart(int epoch, int batches) {
    }

    /**
     * A step's loss is known (in step order; a few steps late under a pipelined engine).
     *
     * @param step        the step's number over the run, from 1
     * @param batch       the step's number in its epoch, from 1
     * @param rows        the examples in the batch
     * @param loss        the batch's mean loss before the update
     * @param epochLoss   the epoch's mean loss over its examples so far
     * @param examples    the epoch's examples so far
     */
    default void onTrainingBatch(int epoch, long step, int batch, int rows, double loss, double epochLoss, long examples) {
    }

    /** The epoch's steps are done (before validation). */
    default void onEpochTrained(int epoch) {
    }

    /** The epoch is done and measured (validated where the run has a validation set). */
    default void onEpoch(EpochMetrics metrics) {
    }

    /** Asked after {@link #onEpoch}: true ends the run there. */
    default boolean stopRequested() {
        return false;
    }
}
