package data.text;

import backprop.Shuffle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Labelled reviews: {@code texts.get(i)} has class {@code labels[i]} ({@link Sentiment}).
 * Read from the notes' layout (one review per line in one file, one label per line in another)
 * or from a TSV ({@code label<TAB>text} per line). Files are UTF-8; a malformed byte becomes
 * U+FFFD, which is not a letter and so only separates words.
 */
public record ReviewCorpus(List<String> texts, int[] labels) {
    public ReviewCorpus {
        if (texts.size() != labels.length) throw new IllegalArgumentException(texts.size() + " reviews but " + labels.length + " labels");
        texts = List.copyOf(texts);
    }

    public int size() { return texts.size(); }

    /** Reviews of {@code reviews}, one per line, labelled by the same line of {@code labels}. */
    public static ReviewCorpus readPair(Path reviews, Path labels) throws IOException {
        List<String> texts = lines(reviews);
        List<String> labelLines = lines(labels);
        if (texts.size() != labelLines.size()) {
            throw new IllegalArgumentException(reviews + " has " + texts.size() + " lines but " + labels + " has "
                    + labelLines.size() + ": one label per review, line by line");
        }
        if (texts.isEmpty()) throw new IllegalArgumentException(reviews + " and " + labels + " are empty: no reviews to train on");
        int[] y = new int[texts.size()];
        for (int i = 0; i < y.length; i++) y[i] = label(labelLines.get(i), labels, i + 1);
        return new ReviewCorpus(texts, y);
    }

    /** Reviews of a TSV file, {@code label<TAB>text} per line. */
    public static ReviewCorpus readTsv(Path tsv) throws IOException {
        List<String> lines = lines(tsv);
        if (lines.isEmpty()) throw new IllegalArgumentException(tsv + " is empty: no reviews to train on");
        List<String> texts = new ArrayList<>(lines.size());
        int[] y = new int[lines.size()];
        for (int i = 0; i < y.length; i++) {
            String line = lines.get(i);
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException(tsv + " line " + (i + 1) + ": no TAB; expected label<TAB>text, got '" + clip(line) + "'");
            }
            y[i] = label(line.substring(0, tab), tsv, i + 1);
            texts.add(line.substring(tab + 1));
        }
        return new ReviewCorpus(texts, y);
    }

    /** Reviews at {@code rows}, in that order. */
    public ReviewCorpus select(int[] rows) {
        List<String> t = new ArrayList<>(rows.length);
        int[] y = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            t.add(texts.get(rows[i]));
            y[i] = labels[rows[i]];
        }
        return new ReviewCorpus(t, y);
    }

    /**
     * A seeded split into training and held-out reviews: {@code heldOut} of them (a shuffled
     * choice, the rest kept in file order) go to the second part.
     */
    public ReviewCorpus[] split(int heldOut, long seed) {
        if (heldOut < 0 || heldOut >= size()) {
            throw new IllegalArgumentException("cannot hold out " + heldOut + " of " + size() + " reviews: at least one must remain for training");
        }
        int[] order = new int[size()];
        Shuffle.order(order, order.length, new SplittableRandom(seed));
        boolean[] test = new boolean[size()];
        for (int i = 0; i < heldOut; i++) test[order[i]] = true;
        int[] a = new int[size() - heldOut], b = new int[heldOut];
        int na = 0, nb = 0;
        for (int i = 0; i < size(); i++) {
            if (test[i]) b[nb++] = i;
            else a[na++] = i;
        }
        return new ReviewCorpus[] {select(a), select(b)};
    }

    /** Reviews per class, {negative, positive}. */
    public int[] classCounts() {
        int[] c = new int[2];
        for (int y : labels) c[y]++;
        return c;
    }

    private static int label(String text, Path file, int line) {
        int y = Sentiment.parse(text);
        if (y < 0) {
            throw new IllegalArgumentException(file + " line " + line + ": unknown label '" + clip(text) + "'; expected " + Sentiment.ACCEPTED);
        }
        return y;
    }

    private static List<String> lines(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) lines.add(line);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        return lines;
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
