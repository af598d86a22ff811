package backprop;

import java.util.Locale;

/**
 * Stops a run whose loss has exploded: a step's loss above {@link #FACTOR} × the first epoch's mean
 * loss (during epoch 1, × the run's first step's loss), or a non-finite one; as a listener of the
 * training loop, which itself stops on a non-finite validation loss. The weights are then already
 * ruined; the caller keeps the checkpoint of the last epoch that passed.
 */
public final class Divergence implements TrainingListener {
    /** How far above the first epoch's loss a step may go before the run counts as diverged. */
    static final double FACTOR = 1e3;
    /** A reference loss below this (a first epoch near zero loss) counts as this, so noise is not an explosion. */
    static final double FLOOR = 1e-3;
    private double reference = Double.NaN;
    private String referenceName = "the first step's";

    /** Checks the mean loss of step {@code step} (1-based, counted over the run) of epoch {@code epoch}. */
    public void step(long step, int epoch, double loss) {
        if (!Double.isFinite(loss)) throw new Diverged(String.format(Locale.ROOT, "step %d (epoch %d): the loss is %s", step, epoch, loss));
        if (Double.isNaN(reference)) {
            reference = loss;
            return;
        }
        if (loss > FACTOR * Math.max(reference, FLOOR)) {
            throw new Diverged(String.format(Locale.ROOT, "step %d (epoch %d): loss %.4g is more than %.0f× %s %.4g",
                    step, epoch, loss, FACTOR, referenceName, reference));
        }
    }

    /** After epoch {@code epoch} with mean train loss {@code loss}: the first epoch's becomes the reference. */
    public void trainLoss(int epoch, double loss) {
        if (epoch == 1) {
            reference = loss;
            referenceName = "the first epoch's";
        }
    }

    @Override
    public void onTrainingBatch(int epoch, long step, int batch, int rows, double loss, double epochLoss, long examples) {
        step(step, epoch, loss);
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        trainLoss(m.epoch(), m.trainLoss());
    }

    /** The run's loss exploded or became non-finite; the message names the step (or epoch) and the value. */
    public static final class Diverged extends ArithmeticException {
        private static final long serialVersionUID = 1L;

        Diverged(String message) {
            super(message);
        }
    }
}
