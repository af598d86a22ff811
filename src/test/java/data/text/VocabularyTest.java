package data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {
    private static final List<String> REVIEWS = List.of(
            "great film, great acting. the plot", "the great cast and the plot",
            "awful film. the plot, the acting awful", "the awful plot and a dull cast");
    private static final int[] LABELS = {1, 1, 0, 0};

    @Test
    void indicesFollowDecreasingCountThenTheAlphabet() {
        Vocabulary v = Vocabulary.build(REVIEWS, LABELS, Vocabulary.Options.NONE);
        // the ×6, plot ×4, awful ×3, great ×3, acting, and, cast, film ×2, a, dull ×1: ties alphabetical
        assertEquals(List.of("the", "plot", "awful", "great", "acting", "and", "cast", "film", "a", "dull"), v.words());
        assertEquals(0, v.indexOf("the"));
        assertEquals(-1, v.indexOf("unknown"));
        assertEquals(new Vocabulary.Stats(10, 0, 0, 10, 26), v.stats());
    }

    @Test
    void minimumCountDropsRareWords() {
        Vocabulary v = Vocabulary.build(REVIEWS, LABELS, new Vocabulary.Options(3, 0));
        assertEquals(List.of("the", "plot", "awful", "great"), v.words());
        assertEquals(6, v.stats().belowMinCount());
    }

    @Test
    void polarityCutoffDropsWordsUsedAlikeByBothClasses() {
        Vocabulary v = Vocabulary.build(REVIEWS, LABELS, new Vocabulary.Options(1, 1.0));
        // P = 12, N = 14 words: |ln((pos+1)/(neg+1)) − ln(13/15)| ≥ 1 only for great (3, 0): 1.53 and awful (0, 3): −1.24;
        // the (3, 3) scores 0.14, dull (0, 1) −0.55
        assertEquals(List.of("awful", "great"), v.words());
        assertEquals(8, v.stats().nearNeutral());
    }

    @Test
    void polarityIsCorrectedForClassSizes() {
        // a word used at the same rate in both classes scores ≈ 0 even when one class has twice the text
        double balance = Math.log((2000 + 1.0) / (1000 + 1.0));
        assertEquals(0.0, Vocabulary.polarity(200, 100, balance), 0.01);
        assertTrue(Vocabulary.polarity(100, 100, balance) < -0.6);
        assertEquals(Math.log(4.0 / 1.0), Vocabulary.polarity(3, 0, 0.0), 1e-12);
    }

    @Test
    void anEmptyResultSaysWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vocabulary.build(REVIEWS, LABELS, new Vocabulary.Options(100, 0)));
        assertTrue(e.getMessage().contains("vocabulary is empty") && e.getMessage().contains("10 occur fewer than the minimum count 100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(REVIEWS, LABELS, new Vocabulary.Options(1, 50)));
        assertTrue(e.getMessage().contains("10 have |polarity| below the cutoff 50.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(List.of(), new int[0], Vocabulary.Options.NONE));
        assertTrue(e.getMessage().contains("corpus is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(List.of("123 !!", "..."), new int[] {0, 1}, Vocabulary.Options.NONE));
        assertTrue(e.getMessage().contains("contain no words"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Vocabulary.Options(0, 0));
        assertTrue(e.getMessage().contains("minimum count must be >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Vocabulary.Options(1, Double.NaN));
        assertTrue(e.getMessage().contains("polarity cutoff"), e.getMessage());
    }
}
