package app.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import data.Dataset;
import data.Digits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label-overrides file: decisions of the page written, read back and applied to the data. */
class LabelOverridesTest {
    @TempDir
    Path dir;

    @Test
    void decisionsRoundTripIntoTheDataTheTrainingLoads() throws Exception {
        Dataset.Split digits = Digits.split();
        Path file = dir.resolve("overrides.csv");
        Review review = Reviews.of("digits", digits, file);
        int[] y = digits.train().labels();
        String other3 = Integer.toString((y[3] + 1) % 10), other3b = Integer.toString((y[3] + 2) % 10);
        review.decide("train", 3, Review.Action.RELABEL, other3);
        review.decide("train", 7, Review.Action.DELETE, null);
        review.decide("train", 10, Review.Action.KEEP, null);
        review.decide("test", 2, Review.Action.DELETE, null);
        review.decide("train", 11, Review.Action.DELETE, null);
        review.decide("train", 3, Review.Action.RELABEL, other3b); // decided again: its line is replaced, in place
        review.decide("train", 11, Review.Action.UNDO, null);      // forgotten: its line goes
        assertEquals(List.of(LabelOverrides.HEADER,
                "digits/train,3," + y[3] + "," + other3b,
                "digits/train,7," + y[7] + ",delete",
                "digits/train,10," + y[10] + "," + y[10],
                "digits/test,2," + digits.test().labels()[2] + ",delete"), Files.readAllLines(file));
        assertEquals(4, review.decided());
        assertEquals("keep", review.entry("train", 10).decision());
        assertNull(review.entry("train", 11).decision());
        // no temp file left beside it
        try (var s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList());
        }

        OverriddenLabels.Result r = OverriddenLabels.apply(LabelOverrides.read(file), digits, "digits");
        assertEquals("1 relabelled, 2 deleted, 1 kept as they were", r.summary());
        Dataset train = r.data().train();
        assertEquals(digits.train().size() - 1, train.size());
        assertEquals(digits.test().size() - 1, r.data().test().size());
        assertEquals(Integer.parseInt(other3b), train.labels()[3]);
        // row 7 is gone: the rows after it move up, features and labels together
        int d = train.dim();
        assertArrayEquals(Arrays.copyOfRange(digits.train().features().data(), 8 * d, 9 * d), Arrays.copyOfRange(train.features().data(), 7 * d, 8 * d));
        assertEquals(y[8], train.labels()[7]);
        assertEquals(y[10], train.labels()[9]);
        // the loaded data itself is untouched
        assertEquals(1438, digits.train().size());
        assertFalse(digits.train().labels()[3] == Integer.parseInt(other3b));
        // an empty file changes nothing
        Files.writeString(file, LabelOverrides.HEADER + "\n");
        assertSame(digits.train(), OverriddenLabels.apply(LabelOverrides.read(file), digits, "digits").data().train());
    }

    @Test
    void aFileThatDoesNotFitTheDataIsRefusedWithItsLine() throws Exception {
        Dataset.Split digits = Digits.split();
        int y0 = digits.train().labels()[0];
        String wrongOld = Integer.toString((y0 + 1) % 10);
        assertRefused(digits, "fashion-mnist/train,0," + y0 + ",delete", "line 2: dataset 'fashion-mnist/train' is not this data");
        assertRefused(digits, "digits/train,1438,0,delete", "line 2: index 1438 is out of range: digits/train has 1438 examples (0..1437)");
        assertRefused(digits, "digits/train,-1,0,delete", "index -1 is out of range");
        assertRefused(digits, "digits/train,x,0,delete", "line 2: example 'x' is not an index");
        assertRefused(digits, "digits/train,0," + y0 + ",cat", "line 2: unknown class 'cat': digits/train has 0, 1, 2");
        assertRefused(digits, "digits/train,0," + wrongOld + ",delete", "line 2: old label '" + wrongOld
                + "' does not match the data: digits/train example 0 is labelled '" + y0 + "'");
        assertRefused(digits, "digits/train,0," + y0 + ",delete\ndigits/train,0," + y0 + ",1", "line 3: digits/train example 0 is decided twice (also line 2)");
        assertRefused(digits, "digits/train,0," + y0, "line 2: expected 4 fields");
        assertRefused(digits, "digits/train,\"0," + y0 + ",1,2", "line 2: a quoted field is not closed");
        Path noHeader = dir.resolve("no-header.csv");
        Files.writeString(noHeader, "digits/train,0,1,2\n");
        LabelOverrides.BadFile e = assertThrows(LabelOverrides.BadFile.class, () -> LabelOverrides.read(noHeader));
        assertTrue(e.getMessage().startsWith(noHeader + " line 1: expected the header 'dataset,example,old_label,new_label'"), e.getMessage());
    }

    private void assertRefused(Dataset.Split data, String lines, String message) throws Exception {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, LabelOverrides.HEADER + "\n" + lines + "\n");
        LabelOverrides.BadFile e = assertThrows(LabelOverrides.BadFile.class, () -> OverriddenLabels.apply(LabelOverrides.read(file), data, "digits"));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(message), "'" + e.getMessage() + "' should contain '" + message + "'");
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void fieldsWithCommasAndQuotesAreQuoted() throws Exception {
        Path file = dir.resolve("o.csv");
        LabelOverrides o = LabelOverrides.readOrEmpty(file);
        o.put("shop/train", "T-shirt, top/a \"b\".png", "T-shirt, top", "delete");
        assertEquals("shop/train,\"T-shirt, top/a \"\"b\"\".png\",\"T-shirt, top\",delete", Files.readAllLines(file).get(1));
        LabelOverrides.Decision d = LabelOverrides.read(file).decisions().get(0);
        assertEquals("T-shirt, top/a \"b\".png", d.example());
        assertEquals("T-shirt, top", d.oldLabel());
        assertTrue(d.deletes());
    }

    @Test
    void theDatasetColumnNamesTheDataAndItsSplit() {
        assertEquals("digits/train", LabelOverrides.datasetName("digits", "train"));
        assertEquals("cifar10/test", LabelOverrides.datasetName("CIFAR-10", "test"));
        assertEquals("pets/train", LabelOverrides.datasetName("data/pets/", "train"));
        assertEquals("iris.csv/test", LabelOverrides.datasetName("/tmp/iris.csv", "test"));
    }
}
