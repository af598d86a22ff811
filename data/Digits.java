package data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The embedded default dataset: the UCI "Optical Recognition of Handwritten Digits" test set
 * (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0) — 1,797 images of 8×8 pixels in 0..16, ten classes,
 * bundled as {@code data/digits.csv.gz} (64 pixels row by row, then the label).
 * Pixels are scaled to [0, 1] (value / 16).
 */
public final class Digits {
    /** The bundled resource, beside this class. */
    public static final String RESOURCE = "digits.csv.gz";
    /** sha256 of the bundled file, as {@code sha256sum} prints it (checked by a test). */
    public static final String SHA256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a";
    /** The seed of the fixed train/test split. */
    public static final long SPLIT_SEED = 1998;
    /** The test share of the fixed split, drawn per class (stratified). */
    public static final double TEST_FRACTION = 0.2;

    private Digits() {}

    /** All 1,797 examples, in file order. */
    public static Dataset load() {
        try (InputStream raw = open(); InputStream in = new GZIPInputStream(raw, 1 << 16)) {
            Csv.Options opts = Csv.Options.defaults().withHeader(false).withLabelColumn("-1")
                    .withScale(1f / 16f).withImageShape(new ImageShape(1, 8, 8));
            return Csv.read(in, Path.of("classpath:data/" + RESOURCE), "digits", opts);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundled digits dataset is damaged: " + e.getMessage(), e);
        }
    }

    /** The fixed stratified 80/20 split (seed {@link #SPLIT_SEED}): 1,438 train, 359 test. */
    public static Dataset.Split split() {
        return load().stratifiedSplit(TEST_FRACTION, SPLIT_SEED);
    }

    /** The raw bundled bytes (gzip). */
    public static InputStream open() {
        InputStream in = Digits.class.getResourceAsStream(RESOURCE);
        if (in == null) throw new IllegalStateException("resource data/" + RESOURCE + " is missing from the classpath (a broken build?)");
        return in;
    }
}
