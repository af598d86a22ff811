package app.serve;

import app.train.SavedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import tensor.Tensor;

/**
 * Dynamic micro-batching for one model: handler threads {@link #offer} jobs to a bounded queue; one
 * thread of its own takes the first, gathers the jobs already queued (and, while requests are still
 * being read, those arriving within {@code maxDelay}) up to {@code maxBatch} rows, and runs them as
 * one forward pass. Buffers are reused from batch to batch. The model runs on this thread only, so
 * the network's layer buffers are never shared.
 *
 * <p>A batch is padded to at least {@link #MIN_ROWS} rows: kernels.Sgemm sends products of one or
 * two rows to a direct dot-product path whose summation order differs from the blocked kernel's,
 * while the blocked kernel computes each output element the same way for any row count. With the
 * padding, every row's answer is bitwise the same whatever batch it shares (ServerTest checks it).
 */
final class Batcher {
    static final int MIN_ROWS = 3; // kernels.Sgemm.SMALL_MAX_ROWS + 1

    private final String name;
    private final SavedModel model;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final ArrayBlockingQueue<Job> queue;
    private final AtomicInteger arriving = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopping;
    final Histogram batchRows = new Histogram(1, 2, 4, 8, 16, 32, 64, 128, 256);
    final LongAdder rowsInferred = new LongAdder();
    private final int inputs;
    private final int classes;
    private float[] x = new float[0];
    private final double[] p;
    private final ServingForward forward;

    Batcher(String name, SavedModel model, int maxBatch, long maxDelayNanos, int queueCapacity) {
        this.name = name;
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelayNanos;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.inputs = model.spec().inputs();
        this.classes = model.spec().outputs();
        this.p = new double[classes];
        this.forward = new ServingForward(model.network());
        thread = new Thread(this::run, "nabla-batcher-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** A handler thread starts reading a request for this model: the batcher may wait for it. */
    void arriving() { arriving.incrementAndGet(); }

    /** The request read before is queued or refused. */
    void arrived() { arriving.decrementAndGet(); }

    /** Queues {@code job}; false when the queue is full (the caller answers 503). */
    boolean offer(Job job) {
        return !stopping && queue.offer(job);
    }

    int depth() { return queue.size(); }

    int inputs() { return inputs; }

    int classes() { return classes; }

    /** Stops taking jobs, runs those queued, and returns when the thread has finished. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join();
    }

    private void run() {
        List<Job> batch = new ArrayList<>(maxBatch);
        Job carry = null;
        while (true) {
            Job first = carry;
            carry = null;
            if (first == null) {
                try {
                    first = queue.poll(20, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    first = null;
                }
                if (first == null) {
                    if (stopping && queue.isEmpty()) return;
                    continue;
                }
            }
            batch.add(first);
            int rows = first.rows;
            long deadline = System.nanoTime() + maxDelayNanos;
            while (rows < maxBatch) {
                Job j = queue.poll();
                if (j == null) {
                    long left = deadline - System.nanoTime();
                    if (arriving.get() == 0 || left <= 0) break; // nobody on the way: waiting would only add latency
                    try {
                        j = queue.poll(left, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        break;
                    }
                    if (j == null) break;
                }
                if (rows + j.rows > maxBatch) {
                    carry = j;
                    break;
                }
                batch.add(j);
                rows += j.rows;
            }
            awaitHold();
            runBatch(batch, rows);
            batch.clear();
        }
    }

    /** Tests hold batches here to fill the queue or stop with requests in flight; null in service. */
    volatile java.util.concurrent.CountDownLatch hold;
    volatile boolean holding;

    private void awaitHold() {
        java.util.concurrent.CountDownLatch h = hold;
        if (h == null) return;
        holding = true;
        try {
            h.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runBatch(List<Job> batch, int rows) {
        RuntimeException failure = null;
        try {
            int m = Math.max(rows, MIN_ROWS);
            if (x.length < m * inputs) x = new float[Math.max(m, maxBatch) * inputs];
            int r = 0;
            for (Job j : batch) {
                System.arraycopy(j.x, 0, x, r * inputs, j.rows * inputs);
                r += j.rows;
            }
            java.util.Arrays.fill(x, rows * inputs, m * inputs, 0f);
            for (int i = 0; i < m; i++) model.normalization().apply(x, i * inputs);
            Tensor out = forward.forward(Tensor.ofSlice(x, 0, m, inputs));
            r = 0;
            for (Job j : batch) {
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
        for (Job j : batch) j.complete(failure);
    }

    String name() { return name; }
}
