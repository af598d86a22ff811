package app.tune;

import backprop.EpochMetrics;
import backprop.TrainingListener;

/** A trial's pruning as a listener on its training loop: after each epoch ASHA's rung rule says whether it goes on. */
final class AshaPruning implements TrainingListener {
    private final Asha asha;
    private final int maxEpochs;
    private boolean pruned;

    AshaPruning(Asha asha, int maxEpochs) {
        this.asha = asha;
        this.maxEpochs = maxEpochs;
    }

    @Override
    public void onEpoch(EpochMetrics e) {
        // the last epoch finishes the trial: it is recorded, not judged
        if (e.epoch() < maxEpochs && !asha.keepGoing(e.epoch(), e.valLoss())) pruned = true;
    }

    @Override
    public boolean stopRequested() {
        return pruned;
    }

    boolean pruned() {
        return pruned;
    }
}
