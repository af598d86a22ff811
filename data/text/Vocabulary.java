package data.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words a model knows, {@code word2index}: index i is the i-th row of the first layer.
 * Built from a labelled training corpus with the notes' two noise reductions:
 * <ul>
 *   <li><b>minimum count</b>: a word seen fewer than {@code minCount} times in the corpus is dropped
 *       (rare words are mostly names and typos, and their weights see too few updates);</li>
 *   <li><b>polarity cutoff</b>: a word whose positive/negative log-ratio is near 0 is dropped
 *       ("the", "movie": as frequent in both classes, it only adds noise to every review).
 *       With pos, neg its occurrences in positive and negative reviews and P, N the total
 *       words of each class,
 *       <pre>polarity = ln((pos + 1)/(neg + 1)) − ln((P + 1)/(N + 1))</pre>
 *       the notes' ratio pos/(neg + 1), smoothed on both sides and corrected for the class
 *       sizes, so that a word used equally often in both classes scores ≈ 0 even when one class
 *       has more text. A word is kept when |polarity| ≥ {@code polarityCutoff}.</li>
 * </ul>
 * Words are ordered by decreasing count, ties alphabetically: the same corpus and options give
 * the same indices.
 */
public final class Vocabulary {
    /** The noise-reduction options: {@code minCount} ≥ 1, {@code polarityCutoff} ≥ 0 (0 keeps every word). */
    public record Options(int minCount, double polarityCutoff) {
        public static final Options NONE = new Options(1, 0.0);

        public Options {
            if (minCount < 1) throw new IllegalArgumentException("minimum count must be >= 1, got " + minCount);
            if (!(polarityCutoff >= 0) || Double.isInfinite(polarityCutoff)) {
                throw new IllegalArgumentException("polarity cutoff must be finite and >= 0, got " + polarityCutoff);
            }
        }
    }

    /** What a build saw and kept: distinct words, how many each reduction dropped, how many remain. */
    public record Stats(int distinctWords, int belowMinCount, int nearNeutral, int kept, long tokens) {
        @Override
        public String toString() {
            return kept + " words kept of " + distinctWords + " distinct (" + belowMinCount + " below the minimum count, "
                    + nearNeutral + " near-neutral polarity), " + tokens + " words read";
        }
    }

    private final List<String> words;
    private final Map<String, Integer> index;
    private final Stats stats;

    private Vocabulary(List<String> words, Stats stats) {
        this.words = List.copyOf(words);
        this.index = new HashMap<>(words.size() * 2);
        for (int i = 0; i < words.size(); i++) {
            if (index.put(words.get(i), i) != null) throw new IllegalArgumentException("vocabulary: word '" + words.get(i) + "' appears twice");
        }
        this.stats = stats;
    }

    /** A vocabulary of exactly these words, in this order (from a checkpoint). */
    public static Vocabulary of(List<String> words) {
        if (words.isEmpty()) throw new IllegalArgumentException("vocabulary: no words");
        return new Vocabulary(words, new Stats(words.size(), 0, 0, words.size(), 0));
    }

    /**
     * Builds the vocabulary of {@code reviews} labelled {@code labels} ({@link Sentiment#POSITIVE}
     * or {@link Sentiment#NEGATIVE}); throws when nothing survives the options, saying why.
     */
    public static Vocabulary build(List<String> reviews, int[] labels, Options options) {
        if (reviews.size() != labels.length) {
            throw new IllegalArgumentException("vocabulary: " + reviews.size() + " reviews but " + labels.length + " labels");
        }
        if (reviews.isEmpty()) throw new IllegalArgumentException("vocabulary: the corpus is empty (no reviews)");
        Map<String, int[]> counts = new HashMap<>();   // word → {negative, positive} occurrences
        long[] classTotals = new long[2];
        for (int i = 0; i < reviews.size(); i++) {
            int label = labels[i];
            if (label != Sentiment.NEGATIVE && label != Sentiment.POSITIVE) {
                throw new IllegalArgumentException("vocabulary: label " + label + " of review " + i + " is not 0 (negative) or 1 (positive)");
            }
            Tokenizer.forEachToken(reviews.get(i), w -> {
                counts.computeIfAbsent(w, k -> new int[2])[label]++;
                classTotals[label]++;
            });
        }
        long tokens = classTotals[0] + classTotals[1];
        if (counts.isEmpty()) {
            throw new IllegalArgumentException("vocabulary: the " + reviews.size() + " reviews contain no words (a word is a run of letters)");
        }
        // ln((P + 1)/(N + 1)): the polarity of a word used in proportion to the class sizes
        double classBalance = Math.log((classTotals[1] + 1.0) / (classTotals[0] + 1.0));
        List<String> kept = new ArrayList<>();
        int rare = 0, neutral = 0;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int[] c = e.getValue();
            if (c[0] + c[1] < options.minCount()) {
                rare++;
            } else if (Math.abs(polarity(c[1], c[0], classBalance)) < options.polarityCutoff()) {
                neutral++;
            } else {
                kept.add(e.getKey());
            }
        }
        Stats stats = new Stats(counts.size(), rare, neutral, kept.size(), tokens);
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("vocabulary is empty: of " + counts.size() + " distinct words, " + rare
                    + " occur fewer than the minimum count " + options.minCount() + " times and " + neutral
                    + " have |polarity| below the cutoff " + options.polarityCutoff() + "; lower them");
        }
        kept.sort(Comparator.<String>comparingInt(w -> -(counts.get(w)[0] + counts.get(w)[1])).thenComparing(Comparator.naturalOrder()));
        return new Vocabulary(kept, stats);
    }

    /** ln((pos + 1)/(neg + 1)) − classBalance: > 0 leans positive, < 0 negative, ≈ 0 neutral. */
    public static double polarity(long positive, long negative, double classBalance) {
        return Math.log((positive + 1.0) / (negative + 1.0)) - classBalance;
    }

    public int size() { return words.size(); }
    public String word(int i) { return words.get(i); }
    /** The words in index order (unmodifiable). */
    public List<String> words() { return Collections.unmodifiableList(words); }
    /** The index of {@code word}, or -1 when it is not in the vocabulary. */
    public int indexOf(String word) {
        Integer i = index.get(word);
        return i == null ? -1 : i;
    }
    /** What the build saw and kept. */
    public Stats stats() { return stats; }
}
