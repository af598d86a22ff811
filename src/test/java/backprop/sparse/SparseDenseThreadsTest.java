package backprop.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.init.Initializer;
import java.util.SplittableRandom;
import kernels.ThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tensor.Tensor;

/**
 * {@link SparseDense} on several threads: the forward splits the batch rows, the plain update the
 * words ({@link WordRanges}); under momentum or L2 the catch-up of present rows and the gradient sums
 * split the words too, the row updates the distinct words, and the catch-up of every row the
 * vocabulary. Tolerance: none. Each output row and each weight row gets the same
 * operations in the same order whatever the split, so 1, 2 and 3 threads must agree bit for bit.
 */
class SparseDenseThreadsTest {
    private static final int V = 1500;
    private long savedMinTerms;

    @BeforeEach
    void splitEvenSmallBatches() {
        savedMinTerms = SparseDense.parallelMinTerms;
        SparseDense.parallelMinTerms = 1 << 14;
    }

    @AfterEach
    void restoreTheThreshold() {
        SparseDense.parallelMinTerms = savedMinTerms;
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 10, 37, 100})
    void forwardAndStepsDoNotDependOnTheThreadCount(int out) {
        for (boolean binary : new boolean[] {true, false}) {
            // two batches over different words, so that under momentum or L2 the second one's forward
            // catches up rows the first one left behind, and the rows are then summed on several threads
            SparseBatch[] x = {SparseFixtures.batch(out, 80, V, 900, 700, binary), SparseFixtures.batch(out + 1, 80, V, V, 700, binary)};
            for (SparseBatch b : x) assertTrue((long) b.nonZeros() * out >= SparseDense.parallelMinTerms, "batches must be large enough to split");
            for (float[] rule : new float[][] {{0f, 0f}, {0.9f, 0f}, {0f, 0.01f}, {0.9f, 0.01f}}) {
                float[] one = run(1, x, out, rule), two = run(2, x, out, rule), three = run(3, x, out, rule);
                String what = "out=" + out + " binary=" + binary + " momentum=" + rule[0] + " l2=" + rule[1];
                assertBitwise(one, two, what + ", 1 vs 2 threads");
                assertBitwise(one, three, what + ", 1 vs 3 threads");
            }
        }
    }

    @Test
    void oneLongReviewIsSplitByWords() {
        int[] evenWords = new int[V / 2];
        for (int i = 0; i < evenWords.length; i++) evenWords[i] = 2 * i;
        SparseBatch x = new SparseBatch(V, true).addRow(evenWords, null, 0, evenWords.length);
        assertTrue((long) x.nonZeros() * 100 >= SparseDense.parallelMinTerms, "the row must be long enough to be split");
        SparseBatch[] once = {x};
        float[] plain = {0f, 0f};
        assertBitwise(run(1, once, 100, plain), run(3, once, 100, plain), "one row, 1 vs 3 threads");
    }

    @Test
    void catchingUpEveryRowDoesNotDependOnTheThreadCount() {
        // the batch uses words [0, 900) only: the rows of words 900..1499 owe every step, and
        // weight() catches them up in even shares of the vocabulary, the last word included
        SparseBatch[] x = {SparseFixtures.batch(8, 80, V, 900, 700, true)};
        float[] momentumAndL2 = {0.9f, 0.01f};
        float[] one = run(1, x, 37, momentumAndL2);
        for (int threads = 2; threads <= 3; threads++) {
            assertBitwise(one, run(threads, x, 37, momentumAndL2), "1 vs " + threads + " threads");
        }
        assertTrue((long) V * 37 >= SparseDense.parallelMinTerms, "the table must be large enough to split");
        SparseDense layer = new SparseDense(V, 37);
        layer.forward(x[0]);
        layer.backward(Tensor.randn(1, 0.5f, x[0].rows(), 37));
        layer.step(0.1f, momentumAndL2[0], 0f, momentumAndL2[1]);
        assertEquals(1, layer.pendingSteps(V - 1), "the last word owes the step");
    }

    @Test
    void wordRangesCutEveryRowIntoConsecutiveRunsOfTheirWords() {
        SparseBatch x = SparseFixtures.batch(11, 37, V, 400, 120, true);
        WordRanges ranges = new WordRanges();
        for (int parts = 1; parts <= 5; parts++) {
            ranges.split(x, V, parts);
            assertEquals(0, ranges.split[0]);
            assertEquals(V, ranges.split[parts]);
            for (int part = 0; part < parts; part++) {
                assertTrue(ranges.split[part] <= ranges.split[part + 1], "boundaries ascend");
                ranges.locate(x, part);
            }
            for (int r = 0; r < x.rows(); r++) {
                int next = x.rowStart(r); // the runs of the parts follow each other through the row
                for (int part = 0; part < parts; part++) {
                    int base = part * x.rows();
                    assertEquals(next, ranges.from[base + r], "parts=" + parts + " row " + r + " part " + part);
                    for (int p = ranges.from[base + r]; p < ranges.to[base + r]; p++) {
                        int word = x.indices()[p];
                        assertTrue(word >= ranges.split[part] && word < ranges.split[part + 1], "word " + word + " in part " + part);
                    }
                    next = ranges.to[base + r];
                }
                assertEquals(x.rowEnd(r), next, "parts=" + parts + ": row " + r + " covered");
            }
        }
    }

    /** Five steps, cycling through the batches {@code x}, at {@code threads} threads with {momentum, L2}
     *  {@code rule}, the learning rate changed before the fourth; returns the forwards' outputs, the
     *  gradient rows of every second step and the weights after. */
    private static float[] run(int threads, SparseBatch[] x, int out, float[] rule) {
        int saved = ThreadPool.get().threads();
        try {
            ThreadPool.setThreads(threads);
            SparseDense layer = new SparseDense(V, out);
            layer.initialize(Initializer.NORMAL_FAN_IN, new SplittableRandom(out));
            float[] seen = new float[0];
            for (int step = 0; step < 5; step++) {
                SparseBatch b = x[step % x.length];
                seen = append(seen, layer.forward(b).data(), b.rows() * out);
                layer.backward(Tensor.randn(40 + step, 0.5f, b.rows(), out));
                // the gathered rows asked for before the step (on several threads above the threshold)
                if (step % 2 == 1) seen = append(seen, layer.gradientRows(), layer.gradientWordCount() * out);
                // a new learning rate at step 3: the rows that owe steps are all caught up first (catchUpAll)
                layer.step(step < 3 ? 0.1f : 0.05f, rule[0], 0f, rule[1]);
            }
            return append(seen, layer.weight().data(), V * out);
        } finally {
            ThreadPool.setThreads(saved);
        }
    }

    private static float[] append(float[] a, float[] b, int n) {
        float[] c = java.util.Arrays.copyOf(a, a.length + n);
        System.arraycopy(b, 0, c, a.length, n);
        return c;
    }

    @Test
    void selectFindsTheKthSmallest() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + rng.nextInt(40);
            int[] a = new int[n];
            for (int i = 0; i < n; i++) a[i] = trial % 3 == 0 ? i : rng.nextInt(8); // runs and repeats
            int[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            int k = rng.nextInt(n);
            assertEquals(sorted[k], WordRanges.select(a, n, k), "trial " + trial);
        }
    }

    private static void assertBitwise(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                assertEquals(expected[i], actual[i], what + " at " + i);
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " bits at " + i);
            }
        }
    }
}
