package kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ThreadPoolTest {
    @AfterAll
    static void restoreThreads() {
        ThreadPool.setThreads(ThreadPool.configuredThreads());
    }

    /** Counts how often each part ran. */
    static final class Counting implements ThreadPool.Task {
        final AtomicIntegerArray runs = new AtomicIntegerArray(16);

        @Override
        public void run(int part, int parts) {
            runs.incrementAndGet(part);
        }
    }

    @Test
    void everyPartRunsExactlyOnceWhenRunsOfFewAndManyPartsAlternate() {
        // A run with fewer parts than threads leaves workers idle; they must not take part in it,
        // nor run a part of the next run twice. (The first version could, if an idle worker was
        // preempted between two reads; a review found it by tracing the interleaving. This test
        // pins the contract; it did not catch that race on this 2-core machine.)
        ThreadPool.setThreads(4);
        ThreadPool pool = ThreadPool.get();
        for (int i = 0; i < 3_000; i++) {
            int parts = i % 3 == 0 ? 2 : i % 3 == 1 ? 4 : 7;
            Counting c = new Counting();
            pool.run(c, parts);
            for (int p = 0; p < 16; p++) assertEquals(p < parts ? 1 : 0, c.runs.get(p), "run " + i + " part " + p);
        }
    }

    @Test
    void aFailingPartIsRethrownToTheCaller() {
        ThreadPool.setThreads(3);
        IllegalStateException boom = new IllegalStateException("boom");
        ThreadPool.Task failing = (part, parts) -> {
            if (part == 2) throw boom;
        };
        assertSame(boom, assertThrows(IllegalStateException.class, () -> ThreadPool.get().run(failing, 3)));
        Counting c = new Counting(); // the pool still works afterwards
        ThreadPool.get().run(c, 3);
        assertEquals(1, c.runs.get(2));
    }

    @Test
    void aSerialThreadRunsEveryPartOfItsRegionsItself() throws InterruptedException {
        ThreadPool.setThreads(4);
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        int[] parts = new int[1];
        Thread t = new ThreadPool.SerialThread(() -> ThreadPool.get().run((part, n) -> {
            ran.add(Thread.currentThread());
            parts[0]++;
        }, 8), "serial");
        t.start();
        t.join();
        assertEquals(Set.of(t), ran);
        assertEquals(8, parts[0]);
    }

    /** Where a run would go serial, runsSerially says so, so that kernels do not split their work for nobody. */
    @Test
    void runsSeriallySaysWhereARunWouldStayOnItsThread() throws InterruptedException {
        ThreadPool.setThreads(4);
        ThreadPool pool = ThreadPool.get();
        assertFalse(pool.runsSerially(), "a caller with 4 threads");
        Set<Boolean> inside = ConcurrentHashMap.newKeySet();
        pool.run((part, n) -> inside.add(ThreadPool.get().runsSerially()), 8);
        assertEquals(Set.of(true), inside, "inside a run: the caller holds the region, the workers are workers");
        boolean[] warmUp = new boolean[1];
        Thread t = new ThreadPool.SerialThread(() -> warmUp[0] = ThreadPool.get().runsSerially(), "serial");
        t.start();
        t.join();
        assertTrue(warmUp[0], "the warm-up's thread");
        ThreadPool.setThreads(1);
        assertTrue(ThreadPool.get().runsSerially(), "one thread");
    }

    @Test
    void aReplacedPoolRunsSeriallyInsteadOfHanging() {
        ThreadPool.setThreads(2);
        ThreadPool old = ThreadPool.get();
        ThreadPool.setThreads(3);
        Counting c = new Counting();
        old.run(c, 2);
        assertEquals(1, c.runs.get(0));
        assertEquals(1, c.runs.get(1));
    }

    /**
     * Parts are claimed, not dealt: while one thread is held up in a part (here: the first part to
     * start waits for all the others), the other thread takes every remaining part. With parts dealt
     * round robin (before claiming) the held thread's own later parts could not run and this waited
     * out its 10 s.
     */
    @Test
    void aHeldUpThreadLeavesItsPartsToTheOthers() {
        ThreadPool.setThreads(2);
        int parts = 8;
        AtomicInteger others = new AtomicInteger();
        AtomicBoolean first = new AtomicBoolean();
        ThreadPool.Task task = (part, n) -> {
            if (first.compareAndSet(false, true)) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (others.get() < n - 1) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("the other parts never ran: " + others.get());
                    Thread.onSpinWait();
                }
            } else {
                others.incrementAndGet();
            }
        };
        for (int i = 0; i < 50; i++) {
            others.set(0);
            first.set(false);
            ThreadPool.get().run(task, parts);
            assertEquals(parts - 1, others.get());
        }
    }
}
