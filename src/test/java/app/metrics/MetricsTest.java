package app.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

class MetricsTest {
    /** Four examples, three classes. Row 3 ties classes 0 and 2. */
    private static final Tensor SCORES = Tensor.of(new float[] {
        0.7f, 0.2f, 0.1f,   // predicts 0
        0.1f, 0.3f, 0.6f,   // predicts 2, then 1
        0.5f, 0.4f, 0.1f,   // predicts 0, then 1
        0.4f, 0.2f, 0.4f,   // tie 0 and 2: argmax takes 0
    }, 4, 3);
    private static final int[] LABELS = {0, 1, 1, 2};

    @Test
    void argmaxAndAccuracy() {
        assertArrayEquals(new int[] {0, 2, 0, 0}, Metrics.argmax(SCORES, new int[4]));
        // Only row 0 is right.
        assertEquals(0.25, Metrics.accuracy(SCORES, LABELS));
        assertEquals(0.5, Metrics.accuracy(new int[] {1, 1, 0, 0}, new int[] {1, 0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[2], new int[3]));
    }

    @Test
    void topKCountsTheLabelAmongTheKBest() {
        // Ranks of the labels: row0 0, row1 1, row2 1, row3 1 (tie with class 0, which has the lower index).
        assertEquals(0.25, Metrics.topKAccuracy(SCORES, LABELS, 1));
        assertEquals(1.0, Metrics.topKAccuracy(SCORES, LABELS, 2));
        assertEquals(1.0, Metrics.topKAccuracy(SCORES, LABELS, 3));
        assertEquals(1, Metrics.rank(SCORES, 3, 2));
        assertEquals(0, Metrics.rank(SCORES, 3, 0));
        assertArrayEquals(new int[] {2, 1}, Metrics.topClasses(SCORES, 1, 2));
        assertArrayEquals(new int[] {0, 2, 1}, Metrics.topClasses(SCORES, 3, 5));
        Tensor nan = Tensor.of(new float[] {Float.NaN, 1f}, 1, 2);
        assertEquals(0.0, Metrics.topKAccuracy(nan, new int[] {0}, 2), "a NaN score at the label is a miss");
        assertArrayEquals(new int[] {1}, Metrics.argmax(nan, new int[1]));
    }

    @Test
    void topLossesAreTheHighestFirst() {
        float[] losses = {0.1f, 2.5f, 0.7f, 2.5f, Float.NaN, 0f};
        assertArrayEquals(new int[] {4, 1, 3, 2}, Metrics.topLosses(losses, 4));
        assertArrayEquals(new int[] {4, 1, 3, 2, 0, 5}, Metrics.topLosses(losses, 100));
        assertArrayEquals(new int[0], Metrics.topLosses(losses, 0));
    }

    @Test
    void confusionMatrixCountsAndRenders() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(SCORES, LABELS);
        assertEquals(1, m.count(0, 0));
        assertEquals(1, m.count(1, 2));
        assertEquals(1, m.count(1, 0));
        assertEquals(1, m.count(2, 0));
        assertEquals(4, m.total());
        assertEquals(0.25, m.accuracy());
        assertEquals(1.0, m.recall(0));
        assertEquals(0.0, m.recall(1));
        assertEquals(1.0 / 3, m.precision(0), 1e-15);
        assertTrue(Double.isNaN(m.precision(1)), "nothing predicted as 1");
        String text = m.render(List.of("cat", "dog", "bird"));
        String expected = String.join("\n",
                "true \\ predicted    0    1    2  recall",
                "0 cat               1    0    0  1.0000",
                "1 dog               1    0    1  0.0000",
                "2 bird              1    0    0  0.0000",
                "precision         33%    -   0%",
                "accuracy 0.2500 (1 of 4)",
                "");
        assertEquals(expected, text.replace(System.lineSeparator(), "\n"));
        assertThrows(IllegalArgumentException.class, () -> m.add(3, 0));
    }
}
