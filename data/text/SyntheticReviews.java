package data.text;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded generator of labelled reviews with planted sentiment: each review is neutral filler
 * with a few words of its class planted in it, and sometimes one word of the other class as
 * noise. What a bag-of-words classifier should learn is exactly which words were planted.
 *
 * <ul>
 *   <li>filler: pseudo-words ("bado", "kemisu", ...) drawn with Zipf frequencies (the r-th most
 *       common with weight 1/r, as in real text), plus common neutral English words with
 *       apostrophes ("the", "it's", "don't") — the same distribution in both classes, so their
 *       polarity is ≈ 0 and their rare tail is what a minimum count removes;</li>
 *   <li>planted: 1 to 3 words from the review's class list ({@link #POSITIVE_WORDS} or
 *       {@link #NEGATIVE_WORDS}), and with probability {@code noise} one word of the other list;</li>
 *   <li>surface: sentences with capitals, commas, full stops and IMDB's {@code <br />} breaks, so
 *       the tokenizer has work to do.</li>
 * </ul>
 * With the defaults a review is wrongly labelled by its planted words only when it has one
 * planted word and one noise word (a tie): about 1/3 · 0.15 · 1/2 ≈ 2.5% of reviews, so a good
 * classifier scores about 97% on held-out reviews.
 */
public final class SyntheticReviews {
    public static final List<String> POSITIVE_WORDS = List.of("excellent", "wonderful", "superb", "brilliant", "delightful",
            "masterpiece", "beautifully", "loved", "gripping", "charming", "flawless", "hilarious");
    public static final List<String> NEGATIVE_WORDS = List.of("awful", "terrible", "boring", "dreadful", "worst", "waste",
            "dull", "mess", "pointless", "stupid", "horrible", "unwatchable");
    static final List<String> COMMON = List.of("the", "a", "and", "of", "to", "is", "it's", "this", "movie", "film",
            "was", "don't", "i", "in", "that", "story", "acting", "plot", "isn't", "you");
    private static final String CONSONANTS = "bdfgklmnprstvz";
    private static final String VOWELS = "aeiou";

    private final int fillerWords;
    private final double noise;
    private final double[] cumulative; // Zipf: cumulative[r] = Σ_{i ≤ r} 1/(i + 1)
    private final List<String> filler;

    /** A generator with {@code fillerWords} pseudo-words and the given probability of one opposite word. */
    public SyntheticReviews(int fillerWords, double noise) {
        if (fillerWords < 1 || fillerWords > 300_000) throw new IllegalArgumentException("filler words must be in [1, 300000], got " + fillerWords);
        if (!(noise >= 0 && noise <= 1)) throw new IllegalArgumentException("noise must be in [0, 1], got " + noise);
        this.fillerWords = fillerWords;
        this.noise = noise;
        this.cumulative = new double[fillerWords];
        this.filler = new ArrayList<>(fillerWords);
        Set<String> planted = new HashSet<>(POSITIVE_WORDS);
        planted.addAll(NEGATIVE_WORDS);
        planted.addAll(COMMON);
        double sum = 0;
        for (int r = 0; r < fillerWords; r++) {
            sum += 1.0 / (r + 1);
            cumulative[r] = sum;
            String w = pseudoWord(r);
            if (planted.contains(w)) throw new IllegalStateException("pseudo-word " + w + " collides with a real word");
            filler.add(w);
        }
    }

    /** The defaults: 5,000 filler words, noise 0.15. */
    public SyntheticReviews() {
        this(5000, 0.15);
    }

    public int fillerWords() { return fillerWords; }

    /** {@code n} reviews, classes alternating at random (fair coin), reproducible from {@code seed}. */
    public ReviewCorpus generate(int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("number of reviews must be >= 1, got " + n);
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> texts = new ArrayList<>(n);
        int[] labels = new int[n];
        List<String> words = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = rng.nextBoolean() ? Sentiment.POSITIVE : Sentiment.NEGATIVE;
            List<String> own = label == Sentiment.POSITIVE ? POSITIVE_WORDS : NEGATIVE_WORDS;
            List<String> other = label == Sentiment.POSITIVE ? NEGATIVE_WORDS : POSITIVE_WORDS;
            words.clear();
            int length = 15 + rng.nextInt(46);
            for (int j = 0; j < length; j++) {
                words.add(rng.nextInt(4) == 0 ? COMMON.get(rng.nextInt(COMMON.size())) : filler.get(zipf(rng)));
            }
            int planted = 1 + rng.nextInt(3);
            for (int j = 0; j < planted; j++) words.add(rng.nextInt(words.size() + 1), own.get(rng.nextInt(own.size())));
            if (rng.nextDouble() < noise) words.add(rng.nextInt(words.size() + 1), other.get(rng.nextInt(other.size())));
            texts.add(render(words, rng));
            labels[i] = label;
        }
        return new ReviewCorpus(texts, labels);
    }

    /** Pseudo-word r: two consonant-vowel syllables for the first 70² ranks, three after (lengths differ, so all are distinct). */
    static String pseudoWord(int r) {
        int syllables = CONSONANTS.length() * VOWELS.length();
        int count = r < syllables * syllables ? 2 : 3;
        int x = count == 2 ? r : r - syllables * syllables;
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < count; k++) {
            int s = x % syllables;
            x /= syllables;
            b.append(CONSONANTS.charAt(s / VOWELS.length())).append(VOWELS.charAt(s % VOWELS.length()));
        }
        return b.toString();
    }

    private int zipf(SplittableRandom rng) {
        double u = rng.nextDouble() * cumulative[fillerWords - 1];
        int lo = 0, hi = fillerWords - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Sentences of 6–14 words: a capital first letter, sometimes a comma, a full stop, sometimes a {@code <br />}. */
    private static String render(List<String> words, SplittableRandom rng) {
        StringBuilder b = new StringBuilder();
        int left = 0;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (left == 0) {
                if (i > 0) b.append(rng.nextInt(6) == 0 ? ". <br /><br />" : ". ");
                left = 6 + rng.nextInt(9);
                w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            } else {
                b.append(rng.nextInt(8) == 0 ? ", " : " ");
            }
            b.append(w);
            left--;
        }
        return b.append('.').toString();
    }
}
