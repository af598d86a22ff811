package kernels;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A bounded warm-up of the kernels: on a daemon thread, one round of tiny products in every transpose
 * and branch (which loads and initializes the Vector API's classes), then rounds of them and of the
 * level-1, activation, softmax and SGD-update loops until {@link #MAX_ROUNDS} or {@link #BUDGET_MILLIS} ms, so
 * that the JIT compiles them with C2 while the caller is still loading data instead of during the
 * first epoch. Its products run on its own thread only ({@link ThreadPool.SerialThread}): waking the
 * pool's workers would cost more than the tiny products and take cores from the caller. It stops early
 * when real work starts a parallel region (every core is then wanted).
 * Started once per JVM, by the first use of {@link Sgemm} or earlier by an application that knows
 * it will train ({@code nabla} starts it before it reads the data). Off with -Dnabla.warmup=off; with
 * -Dnabla.warmup=verbose it says on stderr how many rounds it ran and how long it took, with =trace
 * also each round's time (C2 taking over shows as rounds falling from ~10 ms to ~0.3 ms). Skipped
 * without C2 ({@link Simd}), where it would compile nothing that helps. On a machine with fewer
 * than 4 CPUs HotSpot runs one C2 thread, which cannot compile all of them before a short data load
 * ends; {@code nabla} then adds a second one (-XX:CICompilerCount=3), and an embedder may too.
 */
public final class Warmup {
    /** The warm-up's wall-clock budget (-Dnabla.warmup.ms to measure another). */
    static final long BUDGET_MILLIS = Long.getLong("nabla.warmup.ms", 1000);
    /**
     * Rounds after which every kernel has been called well past C2's thresholds: on a quiet 2-core
     * machine the micro-kernel, packing and fold reach C2 within 600 rounds, about 0.5 s after the
     * first (docs/benchmarks.md).
     */
    static final int MAX_ROUNDS = 600;
    /** Calls of the level-1 loops per round (see {@link #run}). */
    static final int LEVEL1_CALLS = 4;
    /**
     * Rounds per deep product (k past one k-block): seen a few dozen times before C2 compiles the fold,
     * while its 500-long kernel loop, slow before C2, does not lengthen every early round.
     */
    static final int DEEP_EVERY = 8;

    private static final boolean TRACE = "trace".equals(System.getProperty("nabla.warmup"));
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Set by the first parallel region of real work: the warm-up then holds a core that work wants. */
    private static volatile boolean workStarted;

    /** The activation loops the warm-up can bring to C2; each one it calls costs its compiles. */
    public enum Activation { SIGMOID, TANH, LEAKY_RELU }

    private Warmup() {}

    /** Starts the warm-up thread, with every activation, the first time it is called; returns at once. */
    public static void start() {
        start(EnumSet.allOf(Activation.class));
    }

    /**
     * Starts the warm-up thread with only the activations a model uses, the first time it is
     * called (a later call changes nothing); returns at once. On 2 CPUs compiling the others cost
     * config A ~0.13 s of its end-to-end time (docs/benchmarks.md, "The first epoch waits on C2").
     */
    public static void start(Set<Activation> activations) {
        if ("off".equals(System.getProperty("nabla.warmup")) || !STARTED.compareAndSet(false, true)) return;
        EnumSet<Activation> used = activations.isEmpty() ? EnumSet.noneOf(Activation.class) : EnumSet.copyOf(activations);
        boolean verbose = TRACE || "verbose".equals(System.getProperty("nabla.warmup"));
        long t0 = System.nanoTime();
        Thread t = new ThreadPool.SerialThread(() -> {
            int rounds = run(BUDGET_MILLIS, used, () -> workStarted);
            if (verbose) {
                System.err.printf("nabla: warm-up ran %d rounds in %d ms%n", rounds, (System.nanoTime() - t0) / 1_000_000);
            }
        }, "nabla-warmup");
        t.start();
    }

    /**
     * Called by {@link ThreadPool} when real work runs a parallel region: the warm-up stops after its
     * round, since work on every thread of the pool leaves it no free core (at one thread it goes on,
     * on the core the work does not use).
     */
    static void workStarted() {
        if (!workStarted) workStarted = true;
    }

    /** Runs warm-up rounds for at most {@code millis} ms or until {@code stop}; returns the number of rounds. */
    static int run(long millis, Set<Activation> activations, BooleanSupplier stop) {
        if (!Simd.ON) return 0;
        int m = 13, n = 2 * SgemmTile.NR + 3, k = 24; // two full tiles and an edge in each direction
        float[] a = fill(new float[m * k]), b = fill(new float[k * n]), c = new float[m * n];
        float[] x = fill(new float[n]), y = new float[n];
        // a product deeper than one k-block, every DEEP_EVERY rounds: C2 then compiles the later blocks'
        // fold (C += acc) too, instead of dropping its code at training's first such product ("unstable_if")
        int deep = SgemmBlocked.KC + 3;
        float[] aDeep = fill(new float[3 * deep]), bDeep = fill(new float[deep * 3]), cDeep = new float[3 * 3];
        int rounds = 0;
        long deadline = Long.MAX_VALUE;
        while (rounds < MAX_ROUNDS && System.nanoTime() < deadline && !(rounds > 0 && stop.getAsBoolean())) {
            long roundStart = System.nanoTime();
            float beta = rounds & 1;
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                Sgemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, beta, c, 0, n);
                if (!(ta && tb)) Sgemm.sgemm(ta, tb, 2, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, beta, c, 0, n);
            }
            if (rounds % DEEP_EVERY == DEEP_EVERY - 1) {
                // beta 0 and 1 in turn: the first block's fold both ways, then the later block's
                Sgemm.sgemm(false, false, 3, 3, deep, 1f, aDeep, 0, deep, bDeep, 0, 3, (rounds / DEEP_EVERY) & 1, cDeep, 0, 3);
            }
            // the level-1 loops run on short rows here, so each needs several calls a round to reach
            // C2's thresholds (invocations plus loop iterations) within the rounds
            for (int rep = 0; rep < LEVEL1_CALLS; rep++) level1(m, n, rounds + rep, activations, a, c, x, y);
            // the budget starts after the first round: its class loading (the Vector API's, a few hundred
            // ms) is a cost the first product pays anyway, here on this thread instead of the caller's
            if (rounds++ == 0) deadline = System.nanoTime() + millis * 1_000_000;
            if (TRACE) System.err.printf("warm-up round %d: %d us%n", rounds, (System.nanoTime() - roundStart) / 1000);
        }
        return rounds;
    }

    /** The level-1, activation, softmax and SGD-update loops once, every branch over two calls. */
    private static void level1(int m, int n, int call, Set<Activation> activations, float[] a, float[] c, float[] x, float[] y) {
        float beta = call & 1;
        VectorOps.axpy(n, 0.5f, x, 0, y, 0);
        VectorOps.scale(n, 0.5f, y, 0);
        VectorOps.addRowVector(m, n, x, 0, c, 0, n);
        VectorOps.sumRows(m, n, c, 0, n, beta, y, 0);
        VectorOps.mul(n, x, 0, y, 0, y, 0);
        if (activations.contains(Activation.SIGMOID)) {
            Activations.sigmoid(n, x, 0, y, 0);
            Activations.sigmoidBackward(n, y, 0, x, 0, y, 0);
        }
        if (activations.contains(Activation.TANH)) {
            Activations.tanh(n, x, 0, y, 0);
            Activations.tanhBackward(n, y, 0, x, 0, y, 0);
        }
        if (activations.contains(Activation.LEAKY_RELU)) {
            // slope 0 is ReLU: the same loops
            Activations.leakyRelu(n, (call & 1) * 0.01f, x, 0, y, 0);
            Activations.leakyReluBackward(n, (call & 1) * 0.01f, x, 0, x, 0, y, 0);
        }
        Activations.exp(n, x, 0, y, 0);
        float max = RowSoftmax.max(x, 0, n);
        RowSoftmax.logSumExp(max, RowSoftmax.softmax(x, 0, max, y, 0, n));
        // with and without momentum and weight decay, as the optimizer may call it
        SgdStep.update(n, a, x, (call & 1) == 0 ? null : y, 0.01f, 0.9f, (call & 2) == 0 ? 0f : 1e-4f, (call & 2) == 0 ? 0f : 1e-3f);
    }

    private static float[] fill(float[] v) {
        for (int i = 0; i < v.length; i++) v[i] = (i % 7 - 3) * 0.125f;
        return v;
    }
}
