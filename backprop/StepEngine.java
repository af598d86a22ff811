package backprop;

import backprop.layers.Dropout;
import tensor.Tensor;

/**
 * Where the steps of an epoch run: one step is forward, loss, backward, update on a batch of
 * inputs {@code X} (a dense {@link Tensor}, or the sparse layer's batch) with targets {@code y}.
 * The CPU {@link Trainer} is one; the GPU mirror of a run is another, which may run a few steps
 * behind the host ({@link #pipelineDepth()}).
 */
public interface StepEngine<X> {
    /** One step on the batch; returns its mean loss before the update. */
    double step(X x, Tensor y);

    /**
     * How many steps the engine may run behind the host: with depth d > 0 an epoch {@link #submit}s
     * each batch and reads the losses d steps late, so the host gathers the next batch while the engine
     * works. 0 (the default): every {@link #step} waits.
     */
    default int pipelineDepth() {
        return 0;
    }

    /** Queues a step on the batch (the batch may be refilled when this returns); only with a pipeline. */
    default void submit(X x, Tensor y) {
        throw new UnsupportedOperationException("this step engine has no pipeline");
    }

    /** Waits for the oldest submitted step and returns its mean loss; only with a pipeline. */
    default double takeLoss() {
        throw new UnsupportedOperationException("this step engine has no pipeline");
    }

    /** Waits for the submitted steps and drops their losses (after a step failed); only with a pipeline. */
    default void discardInFlight() {
    }

    /** Writes the engine's weights and optimizer state into the host's network and optimizer (a no-op on the CPU). */
    default void syncNetwork() {
    }

    /**
     * The host has just reseeded {@code layer}'s masks with {@code seed} ({@link Dropout#reseed}, at the start of an
     * epoch): an engine that draws its own masks restarts its stream there, so that it draws the CPU layer's (a no-op
     * on the CPU, whose layer is the one reseeded).
     */
    default void dropoutReseeded(Dropout layer, long seed) {
    }
}
