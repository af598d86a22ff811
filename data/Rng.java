package data;

import java.util.random.RandomGenerator;

/**
 * SplitMix64 (Steele, Lea, Flood 2014) with a settable state: the data pipeline reseeds one
 * instance per epoch and per example instead of allocating a generator, so a seed, an epoch and
 * an example index always give the same draws, whatever the batch size or the thread.
 */
public final class Rng implements RandomGenerator {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** Restarts the sequence from {@code seed}. */
    public Rng seed(long seed) {
        this.state = seed;
        return this;
    }

    @Override
    public long nextLong() {
        state += GOLDEN;
        return mix64(state);
    }

    /** A well-mixed seed for stream {@code a}, sub-stream {@code b} of {@code seed}. */
    public static long mix(long seed, long a, long b) {
        return mix64(mix64(mix64(seed) + a * GOLDEN) + b * GOLDEN);
    }

    /** The SplitMix64 finalizer: a bijection of 64-bit values with good avalanche. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
