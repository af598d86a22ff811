package data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DigitsTest {
    @Test
    void bundledFileHasTheKnownSha256() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Digits.open()) {
            byte[] buf = new byte[8192];
            for (int r; (r = in.read(buf)) > 0; ) sha.update(buf, 0, r);
        }
        // The value sha256sum printed for ../shared/data/digits/digits.csv.gz when it was bundled.
        assertEquals("46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a", HexFormat.of().formatHex(sha.digest()));
        assertEquals(Digits.SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Digits.open().readAllBytes())));
    }

    @Test
    void loadsAll1797ImagesScaledToUnitRange() {
        Dataset d = Digits.load();
        assertEquals(1797, d.size());
        assertEquals(64, d.dim());
        assertEquals(10, d.numClasses());
        assertEquals(new ImageShape(1, 8, 8), d.imageShape().orElseThrow());
        // The class counts of the UCI test set (as sklearn's load_digits reports them).
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, d.classCounts());
        // First line of the file: 0,0,5,13,9,1,0,0,... label 0; pixels are value/16.
        assertEquals(0, d.labels()[0]);
        assertEquals(5f / 16f, d.features().get(0, 2));
        assertEquals(13f / 16f, d.features().get(0, 3));
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : d.features().data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    @Test
    void fixedSplitIsStratifiedAndRepeatable() {
        Dataset.Split s = Digits.split();
        assertEquals(1797, s.train().size() + s.test().size());
        int[] all = Digits.load().classCounts();
        int[] test = s.test().classCounts();
        for (int c = 0; c < 10; c++) {
            assertEquals(Math.round(0.2 * all[c]), test[c], "class " + c + " keeps 20% in the test set");
        }
        assertEquals(359, s.test().size()); // sum over classes of round(0.2 · count)
        Dataset.Split again = Digits.split();
        assertArrayEquals(s.test().labels(), again.test().labels());
        assertArrayEquals(s.train().features().data(), again.train().features().data());
        // A different seed gives a different split with the same class counts.
        Dataset.Split other = Digits.load().stratifiedSplit(0.2, Digits.SPLIT_SEED + 1);
        assertArrayEquals(test, other.test().classCounts());
        assertTrue(!java.util.Arrays.equals(s.test().features().data(), other.test().features().data()));
    }
}
