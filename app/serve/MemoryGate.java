package app.serve;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that request bodies larger than a connection's base buffer may hold at once: a
 * connection reserves before it grows its buffer and releases once the request is answered, and a
 * request that finds no room is answered 503 (Retry-After) instead of running the JVM out of memory.
 */
final class MemoryGate {
    private final long budget;
    private final AtomicLong used = new AtomicLong();

    MemoryGate(long budget) {
        this.budget = budget;
    }

    boolean reserve(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > budget) return false;
            if (used.compareAndSet(u, u + bytes)) return true;
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() { return used.get(); }

    long budget() { return budget; }
}
