package app.serve;

import app.train.SavedModel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import tensor.Tensor;

/**
 * Dynamic micro-batching for one model. The server's threads {@link #offer} jobs to a bounded ring
 * and {@link #flush} once they have queued what they read in one turn (so a batch starts with all
 * of it, and the batcher is woken once per turn, not per request). This model's own thread takes
 * the waiting jobs up to {@code maxBatch} rows (the first whole, however large), and while
 * requests are still being received waits up to {@code maxDelay} for them; then it runs one forward
 * pass and hands every job its answer ({@link Job#complete}, which writes it on this thread). The
 * network runs on this thread only, in buffers reused from batch to batch, on the CPU or the GPU ({@link ModelForward}).
 *
 * <p>A batch is padded with zero rows to the forward's {@link ModelForward#minRows}: on the CPU 3 rows, so
 * that kernels.Sgemm's one- and two-row path, which sums in another order, never runs and a row's answer
 * is the same bits whatever batch it shares ({@link ServingForward}); the GPU's forward takes the real
 * row count (its graph computes every row alike, and a padding row would only be copied up and down).
 */
final class Batcher {
    private final String name;
    private final SavedModel model;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final Job[] ring;           // guarded by itself
    private int head;
    private volatile int count;         // written under the ring's lock; read without it to decide to park
    private volatile boolean waiting;   // the thread parks (or is about to): a flush unparks it
    private volatile boolean unsignaled; // jobs were offered since the last flush
    private final AtomicInteger arriving; // requests whose body is still coming, for any model
    private final Thread thread;
    private volatile boolean stopping;
    final Histogram batchRows = new Histogram(1, 2, 4, 8, 16, 32, 64, 128, 256);
    final LongAdder rowsInferred = new LongAdder();
    private final int inputs;
    private final int classes;
    private final Job[] batch;
    private final RowViews x;
    private final double[] p;
    private final ModelForward forward;
    private final int minRows;

    Batcher(String name, SavedModel model, int maxBatch, long maxDelayNanos, int queueCapacity, AtomicInteger arriving) {
        this(name, model, maxBatch, maxDelayNanos, queueCapacity, arriving, new ServingForward(model.network()));
    }

    /** With the forward pass to run the batches through (the CPU's, or a GPU's: {@link ServingBackend}). */
    Batcher(String name, SavedModel model, int maxBatch, long maxDelayNanos, int queueCapacity, AtomicInteger arriving,
            ModelForward forward) {
        this.name = name;
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelayNanos;
        this.ring = new Job[queueCapacity];
        this.batch = new Job[Math.max(1, Math.min(maxBatch, queueCapacity))];
        this.arriving = arriving;
        this.inputs = model.spec().inputs();
        this.classes = model.spec().outputs();
        this.p = new double[classes];
        this.forward = forward;
        this.minRows = forward.minRows();
        this.x = new RowViews(inputs);
        thread = new Thread(this::run, "nabla-batcher-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code job} (its answer comes from this batcher's thread); false when the queue is full or stopping. */
    boolean offer(Job job) {
        synchronized (ring) {
            if (stopping || count == ring.length) return false;
            ring[(head + count) % ring.length] = job;
            count++;
        }
        unsignaled = true;
        return true;
    }

    /** Wakes the batcher for the jobs offered since the last flush, if it waits. */
    void flush() {
        if (!unsignaled) return;
        unsignaled = false;
        // the batcher sets waiting, then reads count; an offer wrote count, and this reads waiting: one of the two sees the other
        if (waiting) LockSupport.unpark(thread);
    }

    int depth() { return count; }

    /** Stops taking jobs, runs those queued, and returns when the thread has finished (then releases the forward pass). */
    void stop() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join();
        forward.close();
    }

    private void run() {
        while (true) {
            while (count == 0) {
                if (stopping) return;
                park(TimeUnit.MILLISECONDS.toNanos(50), 0);
            }
            int jobs = 0;
            int rows = 0;
            long deadline = System.nanoTime() + maxDelayNanos;
            while (true) {
                synchronized (ring) {
                    // the first job whole, then whole jobs while they fit
                    while (count > 0 && jobs < batch.length && (jobs == 0 || rows + ring[head].rows <= maxBatch)) {
                        Job j = ring[head];
                        ring[head] = null;
                        head = (head + 1) % ring.length;
                        count--;
                        batch[jobs++] = j;
                        rows += j.rows;
                    }
                    if (count > 0) break; // the next job does not fit: full
                }
                long left = deadline - System.nanoTime();
                // nobody on the way, or full: waiting would only add latency
                if (rows >= maxBatch || jobs == batch.length || arriving.get() == 0 || left <= 0 || stopping) break;
                park(left, 0);
            }
            awaitHold();
            runBatch(jobs, rows);
        }
    }

    /** Parks up to {@code nanos} unless more than {@code seen} jobs wait; a flush or stop unparks. Allocates nothing (a Condition would, per wait). */
    private void park(long nanos, int seen) {
        waiting = true;
        if (count == seen && !stopping) LockSupport.parkNanos(this, nanos);
        waiting = false;
    }

    /** Tests hold batches here to fill the queue or stop with requests in flight; null in service. */
    volatile CountDownLatch hold;
    volatile boolean holding;

    private void awaitHold() {
        CountDownLatch h = hold;
        if (h == null) return;
        holding = true;
        try {
            h.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runBatch(int jobs, int rows) {
        RuntimeException failure = null;
        try {
            int m = Math.max(rows, minRows);
            Tensor in = this.x.get(m);
            float[] x = in.data();
            int r = 0;
            for (int b = 0; b < jobs; b++) {
                Job j = batch[b];
                System.arraycopy(j.x, 0, x, r * inputs, j.rows * inputs);
                r += j.rows;
            }
            java.util.Arrays.fill(x, rows * inputs, m * inputs, 0f);
            for (int i = 0; i < m; i++) model.normalization().apply(x, i * inputs);
            Tensor out = forward.forward(in);
            r = 0;
            for (int b = 0; b < jobs; b++) {
                Job j = batch[b];
                for (int i = 0; i < j.rows; i++, r++) {
                    model.spec().probabilities(out, r, p);
                    for (int c = 0; c < classes; c++) j.probabilities[i * classes + c] = (float) p[c];
                }
            }
            batchRows.observe(rows);
            rowsInferred.add(rows);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int b = 0; b < jobs; b++) {
            Job j = batch[b];
            batch[b] = null;
            try {
                j.complete(failure);
            } catch (RuntimeException e) {
                // writing one answer failed (its connection is closed by its owner): the others still get theirs
            }
        }
    }

    String name() { return name; }

    /** The thread that runs the model and writes its answers. */
    Thread thread() { return thread; }
}
