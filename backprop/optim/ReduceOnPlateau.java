package backprop.optim;

/**
 * "If the error is too big, decrease the learning rate": when the epoch loss has not improved on
 * the best so far by a relative {@code threshold} for more than {@code patience} epochs, lr ←
 * max(factor·lr, minLearningRate), and the count starts again (PyTorch's ReduceLROnPlateau, mode
 * min, threshold_mode rel, no cooldown). A loss that goes up counts as not improving.
 */
public final class ReduceOnPlateau implements LearningRateSchedule {
    private final float factor;
    private final int patience;
    private final float threshold;
    private final float minLearningRate;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs;

    public ReduceOnPlateau(float factor, int patience, float threshold, float minLearningRate) {
        if (!(factor > 0f && factor < 1f)) throw new IllegalArgumentException("plateau factor must be in (0, 1), got " + factor);
        if (patience < 0) throw new IllegalArgumentException("plateau patience must be >= 0, got " + patience);
        if (!(threshold >= 0f)) throw new IllegalArgumentException("plateau threshold must be >= 0, got " + threshold);
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.minLearningRate = minLearningRate;
    }

    @Override
    public float next(int epoch, double epochLoss, float learningRate) {
        // improved: loss < best·(1 − threshold)
        if (epochLoss < best * (1 - threshold)) {
            best = epochLoss;
            badEpochs = 0;
            return learningRate;
        }
        if (++badEpochs > patience) {
            badEpochs = 0;
            return Math.max(learningRate * factor, minLearningRate);
        }
        return learningRate;
    }
}
