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
 * words ({@link WordRanges}). Tolerance: none. Each output row and each weight row gets the same
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
            for (float momentum : new float[] {0f, 0.9f}) {
                SparseBatch x = SparseFixtures.batch(out, 80, V, 900, 700, binary);
                assertTrue((long) x.nonZeros() * out >= SparseDense.parallelMinTerms, "the batch must be large enough to be split");
                float[] one = run(1, x, out, momentum), two = run(2, x, out, momentum), three = run(3, x, out, momentum);
                String what = "out=" + out + " binary=" + binary + " momentum=" + momentum;
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
        assertBitwise(run(1, x, 100, 0f), run(3, x, 100, 0f), "one row, 1 vs 3 threads");
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

    /** Three steps on {@code x} at {@code threads} threads; returns the three forwards' outputs and the weights after. */
    private static float[] run(int threads, SparseBatch x, int out, float momentum) {
        int saved = ThreadPool.get().threads();
        try {
            ThreadPool.setThreads(threads);
            SparseDense layer = new SparseDense(V, out);
            layer.initialize(Initializer.NORMAL_FAN_IN, new SplittableRandom(out));
            int rows = x.rows();
            float[] seen = new float[3 * rows * out + V * out];
            for (int step = 0; step < 3; step++) {
                System.arraycopy(layer.forward(x).data(), 0, seen, step * rows * out, rows * out);
                layer.backward(Tensor.randn(40 + step, 0.5f, rows, out));
                layer.step(0.1f, momentum, 0f, 0f);
            }
            System.arraycopy(layer.weight().data(), 0, seen, 3 * rows * out, V * out);
            return seen;
        } finally {
            ThreadPool.setThreads(saved);
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
