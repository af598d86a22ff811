package data.text;

import backprop.sparse.SparseBatch;
import java.util.Arrays;
import java.util.List;

/**
 * Turns reviews into sparse rows over a {@link Vocabulary}: the distinct known words of a review,
 * ascending by index, with value 1 (binary presence, the notes' fix) or their count in the review.
 * Unknown words are skipped. The scratch buffers are reused from review to review.
 */
public final class Encoder {
    private final Vocabulary vocabulary;
    private final boolean binary;
    private int[] ids = new int[256];
    private int[] columns = new int[256];
    private float[] counts = new float[256];
    private int n;
    private long unknown;

    public Encoder(Vocabulary vocabulary, boolean binary) {
        this.vocabulary = vocabulary;
        this.binary = binary;
    }

    public boolean binary() { return binary; }

    /** Words read so far that were not in the vocabulary. */
    public long unknownWords() { return unknown; }

    /** A new batch with one row per review. */
    public SparseBatch encode(List<String> reviews) {
        SparseBatch batch = new SparseBatch(vocabulary.size(), binary);
        for (String r : reviews) addTo(batch, r);
        return batch;
    }

    /** Appends the row of {@code review} to {@code batch}. */
    public void addTo(SparseBatch batch, String review) {
        n = 0;
        Tokenizer.forEachToken(review, w -> {
            int i = vocabulary.indexOf(w);
            if (i < 0) {
                unknown++;
                return;
            }
            if (n == ids.length) ids = Arrays.copyOf(ids, 2 * n);
            ids[n++] = i;
        });
        Arrays.sort(ids, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct > 0 && columns[distinct - 1] == ids[i]) {
                counts[distinct - 1]++;
                continue;
            }
            if (distinct == columns.length) {
                columns = Arrays.copyOf(columns, 2 * distinct);
                counts = Arrays.copyOf(counts, 2 * distinct);
            }
            columns[distinct] = ids[i];
            counts[distinct++] = 1f;
        }
        batch.addRow(columns, binary ? null : counts, 0, distinct);
    }
}
