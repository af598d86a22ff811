package data.text;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits text into lower-case words: a word is a run of letters (any script,
 * {@link Character#isLetter(int)}), and an apostrophe between two letters stays inside it
 * ("don't", "rock'n'roll"); every other character — digits, punctuation, spaces, an apostrophe
 * at the edge of a word ("'quoted'") — separates words. The typographic apostrophes ’ (U+2019)
 * and ʼ (U+02BC) count as ', so "don’t" and "don't" are one word. Lower-casing is per code point
 * and independent of the locale.
 */
public final class Tokenizer {
    private Tokenizer() {}

    /** Calls {@code sink} with each word of {@code text}, in order. */
    public static void forEachToken(CharSequence text, Consumer<String> sink) {
        StringBuilder word = new StringBuilder();
        int n = text.length();
        for (int i = 0; i < n; ) {
            int cp = Character.codePointAt(text, i);
            int next = i + Character.charCount(cp);
            if (isApostrophe(cp)) { // before the letter test: ʼ (U+02BC) is a modifier letter
                if (word.length() > 0 && next < n && Character.isLetter(Character.codePointAt(text, next))
                        && !isApostrophe(Character.codePointAt(text, next))) {
                    // an apostrophe with a letter on each side belongs to the word
                    word.append('\'');
                } else if (word.length() > 0) {
                    sink.accept(word.toString());
                    word.setLength(0);
                }
            } else if (Character.isLetter(cp)) {
                word.appendCodePoint(Character.toLowerCase(cp));
            } else if (word.length() > 0) {
                sink.accept(word.toString());
                word.setLength(0);
            }
            i = next;
        }
        if (word.length() > 0) sink.accept(word.toString());
    }

    /** The words of {@code text}, in order. */
    public static List<String> tokens(CharSequence text) {
        List<String> out = new ArrayList<>();
        forEachToken(text, out::add);
        return out;
    }

    private static boolean isApostrophe(int cp) {
        return cp == '\'' || cp == '\u2019' || cp == '\u02BC';
    }
}
