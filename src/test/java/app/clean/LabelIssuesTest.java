package app.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelIssuesTest {
    // four examples, three classes; rows are the out-of-sample probabilities
    private static final float[] P = {
        0.8f, 0.1f, 0.1f,   // 0: labelled 0, confident
        0.6f, 0.3f, 0.1f,   // 1: labelled 0
        0.75f, 0.2f, 0.05f, // 2: labelled 1, but looks like class 0
        0.1f, 0.5f, 0.4f,   // 3: labelled 2, class 1 likely but below its threshold
    };
    private static final int[] Y = {0, 0, 1, 2};

    @Test
    void thresholdsAreEachClassMeanProbabilityOnItsOwnExamples() {
        // t_0 = (0.8 + 0.6)/2, t_1 = 0.2 (example 2 alone), t_2 = 0.4 (example 3 alone)
        assertArrayEquals(new double[] {0.7, 0.2, 0.4}, LabelIssues.thresholds(P, Y, 3), 1e-7);
    }

    @Test
    void anotherClassAtItsThresholdFlagsAnExampleAndRankIsBySelfConfidence() {
        LabelIssues.Issue[] r = LabelIssues.rank(P, Y, 3);
        assertArrayEquals(new int[] {2, 3, 1, 0}, java.util.Arrays.stream(r).mapToInt(LabelIssues.Issue::index).toArray());
        // example 2: p_20 = 0.75 ≥ t_0 = 0.7, flagged, suggested 0
        assertTrue(r[0].flagged());
        assertEquals(0, r[0].suggested());
        // example 3: p_31 = 0.5 ≥ t_1 = 0.2: flagged, suggested 1
        assertTrue(r[1].flagged());
        assertEquals(1, r[1].suggested());
        // example 1: p_11 = 0.3 ≥ t_1 = 0.2: flagged too (class 1's own examples are unsure)
        assertTrue(r[2].flagged());
        // example 0: p_01 = 0.1 < 0.2, p_02 = 0.1 < 0.4
        assertFalse(r[3].flagged());
    }

    @Test
    void foldsAreStratifiedAndSeeded() {
        int[] labels = new int[103];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 3;
        int[] a = CrossValidated.folds(labels, 3, 5, 7), b = CrossValidated.folds(labels, 3, 5, 7);
        assertArrayEquals(a, b);
        int[][] perFoldClass = new int[5][3];
        for (int i = 0; i < labels.length; i++) perFoldClass[a[i]][labels[i]]++;
        // each class's 34 or 35 examples dealt in turn over 5 folds: 6 or 7 in each
        for (int[] fold : perFoldClass) for (int c : fold) assertTrue(c >= 6 && c <= 8, java.util.Arrays.deepToString(perFoldClass));
    }
}
