package bench;

import backprop.Network;
import backprop.Trainer;
import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.loss.BinaryCrossEntropyWithLogits;
import backprop.optim.Sgd;
import backprop.sparse.SparseBatch;
import backprop.sparse.SparseDense;
import backprop.sparse.SparseNetwork;
import backprop.sparse.SparseTrainer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import kernels.ThreadPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tensor.Tensor;

/**
 * Training throughput of the sentiment network in reviews/second, sparse (index-based first
 * layer) against dense (the same network with an ordinary Dense first layer on the 0/1 vector),
 * on an IMDB-shaped workload: a vocabulary of V words, 230 distinct words per review drawn with
 * Zipf frequencies (the r-th word with weight 1/r, as in real text), network
 * {@code V → hidden → 1} (no hidden activation, the notes' network), BCE on the logit, plain SGD.
 * One operation is one review: an invocation trains 64 reviews, as 64 steps of batch 1 (the notes'
 * per-record loop) or one step of batch 64.
 *
 * <p>{@code sparse} runs V = 10k, 74k, 500k to show that the cost per review does not grow with
 * the vocabulary. {@code dense} runs V = 74k only by default (its weights and their gradient are
 * 2·V·hidden floats, 59 MB at hidden 100; at 500k they would be 400 MB and a step ~0.1 s): pass
 * {@code -p denseVocab=10000,74000} for more. The dense input rows are scattered from the same
 * sparse rows into a reused buffer (O(words), not O(V)), so the dense figure is the layer's cost.
 * {@code threads} sets the GEMM threads of the dense path, {@code sparseThreads} those of the sparse path
 * (default 1 each: the ratio is one thread against one thread).
 * {@code touchRows} moves the rows' lines and nothing else, a reference for the sparse path's memory traffic (see there);
 * {@code touchPairs} does the same for every (review, word) pair, the sparse step's own pattern.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     org.openjdk.jmh.Main SparseBench -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc
 * </pre>
 * (about 2 minutes; {@code gc.alloc.rate.norm} is bytes per review: ~0 on the sparse path).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms3g", "-Xmx3g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SparseBench {
    static final int REVIEWS_PER_INVOCATION = 64;
    static final int WORDS_PER_REVIEW = 230;
    static final int POOL = 1024; // distinct reviews cycled through
    // touchRows's vectors: at most 16 floats (one 64-byte line), at least 8 (the smallest hidden size measured here is 10)
    static final VectorSpecies<Float> TOUCH = FloatVector.SPECIES_256;

    @State(Scope.Benchmark)
    public static class SparseWorkload {
        @Param({"10000", "74000", "500000"})
        public int vocab;
        @Param({"10", "100"})
        public int hidden;
        @Param({"1", "64"})
        public int batch;
        /** Threads of the sparse path (the engine's pool); 1 for the comparison with the dense path at {@code threads} = 1. */
        @Param({"1"})
        public int sparseThreads;
        /**
         * Momentum of the optimizer: 0 runs the plain index-based update, above 0 the gathered update with
         * lazy rows. The learning rate is then 0.01·(1 − μ), the same long-run step as plain SGD's 0.01: at
         * 0.01 and μ = 0.9 the batch-1 runs diverged (NaN loss) within 60k steps.
         */
        @Param({"0"})
        public float momentum;

        SparseTrainer trainer;
        SparseBatch reviews, step;
        float[] touchTable;    // [vocab][hidden], for touchRows
        int[][] distinctWords; // per batch of the pool: its distinct words, ascending (for touchRows)
        Tensor[] targets; // per batch position: [batch, 1] labels of reviews start .. start+batch
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            ThreadPool.setThreads(sparseThreads);
            reviews = reviews(vocab, 1);
            SparseDense first = new SparseDense(vocab, hidden);
            SparseNetwork net = new SparseNetwork(first, new Network(hidden).add(new Dense(hidden, 1)))
                    .initialize(Initializer.NORMAL_FAN_IN, 7);
            trainer = new SparseTrainer(net, new BinaryCrossEntropyWithLogits(), new Sgd(net.denseParameters(), 0.01f * (1f - momentum)).momentum(momentum), true);
            step = new SparseBatch(vocab, true);
            targets = labels(batch);
            touchTable = new float[vocab * hidden];
            distinctWords = new int[POOL / batch][];
            for (int i = 0; i < distinctWords.length; i++) {
                int from = reviews.rowStart(i * batch), to = reviews.rowEnd((i + 1) * batch - 1);
                distinctWords[i] = java.util.Arrays.stream(reviews.indices(), from, to).distinct().sorted().toArray();
            }
        }
    }

    @State(Scope.Benchmark)
    public static class DenseWorkload {
        @Param({"74000"})
        public int denseVocab;
        @Param({"10", "100"})
        public int denseHidden;
        @Param({"1", "64"})
        public int denseBatch;
        @Param({"1"})
        public int threads;

        Trainer trainer;
        SparseBatch reviews;
        Tensor x;
        Tensor[] targets;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            ThreadPool.setThreads(threads);
            reviews = reviews(denseVocab, 1);
            Network net = new Network(denseVocab).add(new Dense(denseVocab, denseHidden)).add(new Dense(denseHidden, 1))
                    .initialize(Initializer.NORMAL_FAN_IN, 7);
            trainer = new Trainer(net, new BinaryCrossEntropyWithLogits(), new Sgd(net, 0.01f));
            x = Tensor.zeros(denseBatch, denseVocab);
            targets = labels(denseBatch);
        }
    }

    @Benchmark
    @OperationsPerInvocation(REVIEWS_PER_INVOCATION)
    public double sparse(SparseWorkload w) {
        double loss = 0;
        for (int done = 0; done < REVIEWS_PER_INVOCATION; done += w.batch) {
            int start = w.next;
            w.step.clear();
            for (int r = 0; r < w.batch; r++) w.step.addRow(w.reviews, start + r);
            loss += w.trainer.step(w.step, w.targets[start / w.batch]);
            w.next = (start + w.batch) % POOL;
        }
        return loss;
    }

    /**
     * A reference for the memory traffic of the sparse step: for each batch, read each distinct
     * word's row once, then read-modify-write it once, in ascending word order, one vector a
     * 64-byte line (the last vector ends at the row's end) and no other work: no sums per review,
     * no network after the layer. It moves the lines that any index-based step with word-major
     * float32 rows must move, with less work per line than the step does.
     */
    @Benchmark
    @OperationsPerInvocation(REVIEWS_PER_INVOCATION)
    public float touchRows(SparseWorkload w) {
        float[] table = w.touchTable;
        int out = w.hidden, last = out - TOUCH.length();
        float seen = 0;
        for (int done = 0; done < REVIEWS_PER_INVOCATION; done += w.batch) {
            int[] words = w.distinctWords[w.next / w.batch];
            for (int word : words) seen += readRow(table, word * out, last);
            for (int word : words) writeRow(table, word * out, last);
            w.next = (w.next + w.batch) % POOL;
        }
        return seen;
    }

    /**
     * {@link #touchRows} on every (review, word) pair in review order, without deduplication: the
     * access pattern of the sparse step itself (the forward reads a row for each review its word is
     * in, the update read-modify-writes it for each), with no arithmetic. The gap between this and
     * {@code touchRows} is the row traffic that grouping the pairs by word would save; the gap between
     * this and {@code sparse} is the step's work beyond moving its rows.
     */
    @Benchmark
    @OperationsPerInvocation(REVIEWS_PER_INVOCATION)
    public float touchPairs(SparseWorkload w) {
        float[] table = w.touchTable;
        int[] idx = w.reviews.indices();
        int out = w.hidden, last = out - TOUCH.length();
        float seen = 0;
        for (int done = 0; done < REVIEWS_PER_INVOCATION; done += w.batch) {
            int from = w.reviews.rowStart(w.next), to = w.reviews.rowEnd(w.next + w.batch - 1);
            for (int p = from; p < to; p++) seen += readRow(table, idx[p] * out, last);
            for (int p = from; p < to; p++) writeRow(table, idx[p] * out, last);
            w.next = (w.next + w.batch) % POOL;
        }
        return seen;
    }

    /** Loads a vector in each line of the row at {@code row}, the last one at {@code row + last}; returns lane 0 of their sum. */
    private static float readRow(float[] table, int row, int last) {
        FloatVector sum = FloatVector.fromArray(TOUCH, table, row + last);
        for (int o = 0; o < last; o += 16) sum = sum.add(FloatVector.fromArray(TOUCH, table, row + o));
        return sum.lane(0);
    }

    /** Loads, changes and stores the vectors {@link #readRow} loads. */
    private static void writeRow(float[] table, int row, int last) {
        FloatVector tiny = FloatVector.broadcast(TOUCH, 1e-30f);
        for (int o = 0; o < last; o += 16) FloatVector.fromArray(TOUCH, table, row + o).add(tiny).intoArray(table, row + o);
        FloatVector.fromArray(TOUCH, table, row + last).add(tiny).intoArray(table, row + last);
    }

    @Benchmark
    @OperationsPerInvocation(REVIEWS_PER_INVOCATION)
    public double dense(DenseWorkload w) {
        double loss = 0;
        int v = w.denseVocab;
        float[] xd = w.x.data();
        for (int done = 0; done < REVIEWS_PER_INVOCATION; done += w.denseBatch) {
            int start = w.next;
            for (int r = 0; r < w.denseBatch; r++) scatter(w.reviews, start + r, xd, r * v, 1f);
            loss += w.trainer.step(w.x, w.targets[start / w.denseBatch]);
            for (int r = 0; r < w.denseBatch; r++) scatter(w.reviews, start + r, xd, r * v, 0f);
            w.next = (start + w.denseBatch) % POOL;
        }
        return loss;
    }

    /** Sets the entries of row {@code row}'s words in {@code x[off ..]} to {@code value} (1 to build, 0 to clear). */
    static void scatter(SparseBatch b, int row, float[] x, int off, float value) {
        int[] idx = b.indices();
        for (int p = b.rowStart(row); p < b.rowEnd(row); p++) x[off + idx[p]] = value;
    }

    /** {@link #POOL} reviews of {@link #WORDS_PER_REVIEW} distinct words, Zipf over {@code vocab}. */
    static SparseBatch reviews(int vocab, long seed) {
        double[] cumulative = new double[vocab];
        double sum = 0;
        for (int r = 0; r < vocab; r++) cumulative[r] = sum += 1.0 / (r + 1);
        SplittableRandom rng = new SplittableRandom(seed);
        SparseBatch b = new SparseBatch(vocab, true);
        boolean[] taken = new boolean[vocab];
        int[] words = new int[WORDS_PER_REVIEW];
        for (int i = 0; i < POOL; i++) {
            int n = 0;
            while (n < WORDS_PER_REVIEW) {
                int w = java.util.Arrays.binarySearch(cumulative, rng.nextDouble() * sum);
                w = w >= 0 ? w : Math.min(vocab - 1, -w - 1);
                if (!taken[w]) {
                    taken[w] = true;
                    words[n++] = w;
                }
            }
            java.util.Arrays.sort(words);
            for (int w : words) taken[w] = false;
            b.addRow(words, null, 0, n);
        }
        return b;
    }

    /** Targets for each batch of the pool, alternating labels. */
    static Tensor[] labels(int batch) {
        Tensor[] t = new Tensor[POOL / batch];
        for (int i = 0; i < t.length; i++) {
            t[i] = Tensor.zeros(batch, 1);
            for (int r = 0; r < batch; r++) t[i].data()[r] = (i * batch + r) % 2;
        }
        return t;
    }
}
