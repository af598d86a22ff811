package kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's one pool of threads, sized by the system property {@code nabla.threads}
 * (default: available processors).
 *
 * <p>{@link #run} splits a task into {@code parts} that the caller and the workers claim one by one
 * and run at once; part p always runs the same slice of work, whichever thread claims it, so a
 * kernel whose parts write disjoint outputs gives results that do not depend on the thread count.
 * Claiming keeps a loaded machine from stalling: a worker that another process keeps off its core
 * leaves its parts to the others. Dispatch allocates nothing: the task is a reusable object; each
 * worker waits on its own assignment field (spin, then park), so a worker not asked to help a run
 * never reads it.
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
    /** The run being worked on (high 32 bits) and its next unclaimed part (low 32 bits). */
    private final AtomicLong claims = new AtomicLong();
    /** Parts of the current run finished. */
    private final AtomicInteger finished = new AtomicInteger();
    private volatile Thread caller;
    /** Runs started so far; only the caller holding {@code lock} writes it. */
    private int runs;
    private volatile boolean shut;
    /** The task and part count of run r, in slot r & 1. */
    private final Task[] tasks = new Task[2];
    private final int[] partCounts = new int[2];
    private volatile Throwable failure;
    /**
     * How long the caller and the workers spin before they park: while every thread has a processor, spinning
     * takes up a new run without a wake-up; where threads outnumber the processors, a spinning thread takes the
     * core of one at work, so they park at once (config B at 8 threads on 2 cores: 2.58 s an epoch spinning, 1.10
     * parking; docs/benchmarks.md).
     */
    private final int callerSpins, workerSpins;

    private ThreadPool(int threads) {
        this.threads = threads;
        boolean oversubscribed = threads > Runtime.getRuntime().availableProcessors();
        this.callerSpins = oversubscribed ? 0 : 20_000;
        this.workerSpins = oversubscribed ? 0 : 50_000;
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

    /**
     * Whether a run issued now by the calling thread would run its parts one after another on it: one
     * thread, the warm-up's thread, a worker, or a caller inside its own run. A kernel then does its
     * work in one part instead of splitting it for nobody (and packing what parts share once per part).
     */
    public boolean runsSerially() {
        Thread t = Thread.currentThread();
        return threads == 1 || t instanceof Worker || t instanceof SerialThread || lock.isHeldByCurrentThread();
    }

    /** Runs {@code task.run(p, parts)} for p = 0..parts-1 and returns when all are done. */
    public void run(Task task, int parts) {
        if (parts <= 1 || runsSerially() || !lock.tryLock()) {
            runSerially(task, parts);
            return;
        }
        try {
            if (shut) { // replaced by setThreads while this caller held the old pool
                runSerially(task, parts);
                return;
            }
            Warmup.workStarted();
            int helpers = Math.min(threads, parts) - 1;
            int run = ++runs;
            tasks[run & 1] = task;
            partCounts[run & 1] = parts;
            this.caller = Thread.currentThread();
            failure = null;
            finished.set(0);
            claims.set((long) run << 32); // publishes this run's task and parts to whoever claims a part
            // Only the helpers of this run are told, each through its own volatile field.
            for (int w = 0; w < helpers; w++) {
                workers[w].assigned = run;
                LockSupport.unpark(workers[w]);
            }
            // The caller claims parts like any worker: a worker that is slow to wake (another process
            // holds its core) leaves its parts to the others instead of holding the whole run up.
            work(run, task, parts);
            int spins = 0;
            while (finished.get() != parts) {
                if (++spins < callerSpins) Thread.onSpinWait(); else LockSupport.park(this);
            }
            tasks[run & 1] = null;
            Throwable f = failure;
            if (f instanceof RuntimeException) throw (RuntimeException) f;
            if (f instanceof Error) throw (Error) f;
            if (f != null) throw new IllegalStateException("a part of a parallel task failed", f);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Claims and runs parts of run {@code run} until none is left. A claim is a CAS on (run, next
     * part), so a late worker can never take a part of a later run with this run's task.
     */
    private void work(int run, Task t, int n) {
        while (true) {
            long c = claims.get();
            int p = (int) c;
            if ((int) (c >>> 32) != run || p >= n) return;
            if (!claims.compareAndSet(c, c + 1)) continue;
            try {
                t.run(p, n);
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (finished.incrementAndGet() == n) LockSupport.unpark(caller);
            }
        }
    }

    private static void runSerially(Task task, int parts) {
        for (int p = 0; p < parts; p++) task.run(p, parts);
    }

    /** Waits for the run in flight, then lets the workers end; later calls on this pool run serially. */
    private void shutdown() {
        lock.lock();
        try {
            shut = true;
        } finally {
            lock.unlock();
        }
        for (Worker w : workers) LockSupport.unpark(w);
    }

    /** A thread whose parallel regions run on itself alone: the JIT warm-up, which must not wake the workers. */
    static final class SerialThread extends Thread {
        SerialThread(Runnable body, String name) {
            super(body, name);
            setDaemon(true);
        }
    }

    private final class Worker extends Thread {
        /** The number of the last run this worker was asked to help with (written by the caller). */
        private volatile int assigned;

        Worker(int id) {
            super("nabla-worker-" + id);
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                int run, spins = 0;
                while ((run = assigned) == seen) {
                    if (shut) return;
                    if (++spins < workerSpins) Thread.onSpinWait(); else LockSupport.park(this);
                }
                seen = run;
                // A run's task sits in slot run & 1 until the run after next: a worker preempted here
                // for long may read the slot of a later run, but then its claims fail (they name a later run).
                if ((int) (claims.get() >>> 32) == run) work(run, tasks[run & 1], partCounts[run & 1]);
            }
        }
    }
}
