package data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import backprop.sparse.SparseBatch;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderTest {
    private final Vocabulary vocabulary = Vocabulary.of(List.of("the", "great", "awful", "plot"));

    @Test
    void binaryPresenceKeepsEachKnownWordOnceInIndexOrder() {
        Encoder e = new Encoder(vocabulary, true);
        SparseBatch b = e.encode(List.of("The plot, the GREAT plot and unknown words", "nothing known", "awful"));
        assertEquals(3, b.rows());
        assertArrayEquals(new int[] {0, 3, 3, 4}, Arrays.copyOf(b.rowPointers(), 4));
        assertArrayEquals(new int[] {0, 1, 3, 2}, Arrays.copyOf(b.indices(), 4));
        assertNull(b.values());
        assertEquals(5, e.unknownWords()); // and, unknown, words, nothing, known
    }

    @Test
    void countsKeepHowOftenEachWordOccurs() {
        SparseBatch b = new Encoder(vocabulary, false).encode(List.of("The plot, the GREAT plot, the end"));
        assertArrayEquals(new int[] {0, 1, 3}, Arrays.copyOf(b.indices(), 3));
        assertArrayEquals(new float[] {3, 1, 2}, Arrays.copyOf(b.values(), 3));
    }
}
