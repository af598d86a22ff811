package app.serve;

import tensor.Tensor;

/**
 * A served model's forward pass in evaluation mode, as {@code Network.forward(x, false)}: on the CPU
 * ({@link ServingForward}) or on the GPU ({@link GpuForward}). Its {@link Batcher}'s thread is the only caller.
 */
interface ModelForward extends AutoCloseable {
    /** The network's output [rows, outputs] for the rows of x [rows, inputs] (a buffer reused by the next call). */
    Tensor forward(Tensor x);

    /**
     * The fewest rows {@link #forward} should be given: the batcher pads a shorter batch with zero rows up to it, where
     * a row's answer would otherwise depend on how many rows share its batch. 1 (no padding) unless a forward says why.
     */
    default int minRows() {
        return 1;
    }

    /** Releases what the forward holds (device memory); the batcher calls it once its thread has finished. */
    @Override
    default void close() { }
}
