package kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's one pool of threads, sized by the system property {@code nabla.threads}
 * (default: available processors).
 *
 * <p>{@link #run} splits a task into {@code parts} that the caller and the workers run at once;
 * part p always runs the same slice of work, so a kernel whose parts write disjoint outputs
 * gives results that do not depend on the thread count. Dispatch allocates nothing: the task is
 * a reusable object, workers wait on a generation counter (spin, then park).
 * One parallel region runs at a time; a call made while another runs (or from inside a part)
 * runs its parts one after another on the calling thread.
 */
public final class ThreadPool {
    /** Work split into parts; {@code run(part, parts)} must touch only part's slice of the output. */
    public interface Task {
        void run(int part, int parts);
    }

    private static volatile ThreadPool instance;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private volatile int generation;
    private Task task;
    private int parts;
    private volatile Throwable failure;

    private ThreadPool(int threads) {
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(w + 1);
            workers[w].start();
        }
    }

    /** The engine's pool, created on first use with {@code nabla.threads} threads. */
    public static ThreadPool get() {
        ThreadPool p = instance;
        if (p == null) {
            synchronized (ThreadPool.class) {
                if (instance == null) instance = new ThreadPool(configuredThreads());
                p = instance;
            }
        }
        return p;
    }

    /** Replaces the engine's pool by one of {@code threads} threads (the CLI's --threads, tests). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be in 1..1024, got " + threads);
        }
        ThreadPool old = instance;
        if (old != null && old.threads == threads) return;
        instance = new ThreadPool(threads);
        if (old != null) old.shutdown();
    }

    static int configuredThreads() {
        String s = System.getProperty("nabla.threads");
        if (s == null || s.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            int t = Integer.parseInt(s.trim());
            if (t >= 1 && t <= 1024) return t;
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("system property nabla.threads must be an integer in 1..1024, got '" + s + "'");
    }

    /** Number of threads, the caller included. */
    public int threads() {
        return threads;
    }

    /** Runs {@code task.run(p, parts)} for p = 0..parts-1 and returns when all are done. */
    public void run(Task task, int parts) {
        if (parts <= 1 || threads == 1 || Thread.currentThread() instanceof Worker || !lock.tryLock()) {
            for (int p = 0; p < parts; p++) task.run(p, parts);
            return;
        }
        try {
            this.task = task;
            this.parts = parts;
            this.caller = Thread.currentThread();
            int helpers = Math.min(workers.length, parts - 1);
            pending.set(helpers);
            failure = null;
            generation++; // volatile write publishes task and parts to the workers
            for (Worker w : workers) LockSupport.unpark(w);
            // The caller takes part 0 and every part beyond the threads, round robin.
            try {
                for (int p = 0; p < parts; p += Math.min(threads, parts)) task.run(p, parts);
            } catch (Throwable e) {
                failure = e;
            }
            int spins = 0;
            while (pending.get() != 0) {
                if (++spins < 20_000) Thread.onSpinWait(); else LockSupport.park(this);
            }
            this.task = null;
            Throwable f = failure;
            if (f instanceof RuntimeException) throw (RuntimeException) f;
            if (f instanceof Error) throw (Error) f;
        } finally {
            lock.unlock();
        }
    }

    private void shutdown() {
        for (Worker w : workers) w.interrupt();
    }

    private final class Worker extends Thread {
        private final int id;

        Worker(int id) {
            super("nabla-worker-" + id);
            this.id = id;
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0; // the generation before the first run, not a fresh read: a run may already have started
            while (!isInterrupted()) {
                int spins = 0;
                while (generation == seen) {
                    if (isInterrupted()) return;
                    if (++spins < 50_000) Thread.onSpinWait(); else LockSupport.park(this);
                }
                seen = generation;
                Task t = task;
                int n = parts;
                int stride = Math.min(threads, n);
                if (id < stride) {
                    try {
                        for (int p = id; p < n; p += stride) t.run(p, n);
                    } catch (Throwable e) {
                        failure = e;
                    } finally {
                        if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
                    }
                }
            }
        }
    }
}
