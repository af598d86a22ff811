package backprop.optim;

/**
 * How the learning rate changes between epochs. {@link backprop.Trainer} calls {@link #next}
 * after each epoch with the epoch's mean training loss and sets the rate it returns.
 */
public interface LearningRateSchedule {
    /** The rate for the epoch after {@code epoch} (counted from 0), given its mean loss and current rate. */
    float next(int epoch, double epochLoss, float learningRate);

    /** Step decay: every {@code every} epochs, lr ← γ·lr (PyTorch's StepLR). */
    static LearningRateSchedule step(int every, float gamma) {
        if (every < 1 || !(gamma > 0f && gamma <= 1f)) {
            throw new IllegalArgumentException("step decay needs every >= 1 and gamma in (0, 1], got every=" + every + " gamma=" + gamma);
        }
        // lr ← γ·lr when (epoch + 1) is a multiple of every
        return (epoch, loss, lr) -> (epoch + 1) % every == 0 ? lr * gamma : lr;
    }

    /** Exponential decay: lr ← γ·lr after every epoch (PyTorch's ExponentialLR). */
    static LearningRateSchedule exponential(float gamma) {
        if (!(gamma > 0f && gamma <= 1f)) throw new IllegalArgumentException("exponential decay needs gamma in (0, 1], got " + gamma);
        return (epoch, loss, lr) -> lr * gamma;
    }

    /** "If the error is too big, decrease the learning rate": see {@link ReduceOnPlateau}. */
    static LearningRateSchedule reduceOnPlateau(float factor, int patience) {
        return new ReduceOnPlateau(factor, patience, 1e-4f, 0f);
    }
}
