package app.serve;

/**
 * One request's rows on their way through a {@link Batcher}: its raw inputs {@code x} [rows, inputs]
 * in, its class probabilities {@code probabilities} [rows, classes] out. The handler thread waits
 * in {@link #await} while the batcher's thread computes.
 */
final class Job {
    final float[] x;
    final int rows;
    final float[] probabilities;
    private boolean done;
    private RuntimeException failure;

    Job(float[] x, int rows, int classes) {
        this.x = x;
        this.rows = rows;
        this.probabilities = new float[rows * classes];
    }

    synchronized void complete(RuntimeException failure) {
        this.failure = failure;
        done = true;
        notifyAll();
    }

    /** Blocks until the batch that holds this job has run; rethrows its failure. */
    synchronized void await() throws InterruptedException {
        while (!done) wait();
        if (failure != null) throw failure;
    }
}
