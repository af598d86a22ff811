package data.text;

import java.util.Locale;

/** The two classes, as stored in label files and targets: negative = 0, positive = 1. */
public final class Sentiment {
    public static final int NEGATIVE = 0;
    public static final int POSITIVE = 1;
    /** Class names by index. */
    public static final String[] NAMES = {"negative", "positive"};
    /** What {@link #parse} accepts, for messages. */
    public static final String ACCEPTED = "positive or negative (also pos/neg, 1/0)";

    private Sentiment() {}

    /** The class of a label ("positive", "NEGATIVE ", "pos", "1"...), or -1 when it is none of them. */
    public static int parse(String label) {
        switch (label.strip().toLowerCase(Locale.ROOT)) {
            case "positive": case "pos": case "1": return POSITIVE;
            case "negative": case "neg": case "0": return NEGATIVE;
            default: return -1;
        }
    }
}
