package data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewCorpusTest {
    @TempDir
    Path dir;

    @Test
    void readsTheNotesLayoutAndTsv() throws IOException {
        Path r = write("reviews.txt", "great film\nawful\tfilm\n");
        Path l = write("labels.txt", "positive\nNEGATIVE \n");
        ReviewCorpus c = ReviewCorpus.readPair(r, l);
        assertEquals(List.of("great film", "awful\tfilm"), c.texts());
        assertArrayEquals(new int[] {1, 0}, c.labels());
        ReviewCorpus t = ReviewCorpus.readTsv(write("c.tsv", "pos\tgreat film\n0\tawful\tfilm"));
        assertEquals(List.of("great film", "awful\tfilm"), t.texts());
        assertArrayEquals(new int[] {1, 0}, t.labels());
    }

    @Test
    void aSeededSplitHoldsOutTheAskedNumber() {
        ReviewCorpus c = new SyntheticReviews().generate(100, 4);
        ReviewCorpus[] parts = c.split(20, 7);
        assertEquals(80, parts[0].size());
        assertEquals(20, parts[1].size());
        assertEquals(parts[1].texts(), c.split(20, 7)[1].texts(), "same seed, same split");
        assertThrows(IllegalArgumentException.class, () -> c.split(100, 7));
    }

    @Test
    void badFilesSayWhatIsWrongAndWhere() throws IOException {
        Path r = write("reviews.txt", "a\nb\nc\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReviewCorpus.readPair(r, write("labels.txt", "positive\nnegative\n")));
        assertTrue(e.getMessage().contains("reviews.txt has 3 lines but") && e.getMessage().contains("labels.txt has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReviewCorpus.readPair(r, write("labels2.txt", "positive\npostive\nnegative\n")));
        assertTrue(e.getMessage().contains("labels2.txt line 2: unknown label 'postive'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReviewCorpus.readPair(write("e1", ""), write("e2", "")));
        assertTrue(e.getMessage().contains("are empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReviewCorpus.readTsv(write("t.tsv", "positive\tok\nnegative no tab\n")));
        assertTrue(e.getMessage().contains("t.tsv line 2: no TAB"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReviewCorpus.readTsv(write("t2.tsv", "")));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> ReviewCorpus.readTsv(dir.resolve("missing.tsv")));
        assertTrue(missing.getMessage().contains("missing.tsv"), missing.getMessage());
    }

    @Test
    void malformedUtf8OnlySeparatesWords() throws IOException {
        Path r = dir.resolve("bytes.txt");
        Files.write(r, new byte[] {'g', 'o', 'o', 'd', (byte) 0xFF, 'f', 'u', 'n', '\n'});
        ReviewCorpus c = ReviewCorpus.readPair(r, write("l.txt", "positive\n"));
        assertEquals(List.of("good", "fun"), Tokenizer.tokens(c.texts().get(0)));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
