package app.clean;

import data.Dataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code nabla clean}'s page reviews: the ranked examples of one or both splits, with their
 * out-of-sample probabilities, and the decisions taken on them, kept in a {@link LabelOverrides}
 * file (saved at every decision).
 */
public final class Review {
    /** One ranked split: its data, probabilities [n·k] and ranking. */
    public record Split(String name, Dataset data, float[] probabilities, LabelIssues.Issue[] ranked) {}

    /** One example as the page shows it; {@code decision} is null, "keep", "delete" or the new class. */
    public record Entry(String split, int index, String example, int rank, String given, String predicted, float predictedProbability,
                        float givenProbability, String suggested, boolean flagged, String decision) {}

    /** Entries {@code offset..} of the {@code total} that pass the filters. */
    public record Page(List<Entry> entries, int total, int offset) {}

    /** Which entries a page lists. */
    public enum Status { ALL, TODO, DECIDED }

    private final String spec;
    private final Map<String, Split> splits = new LinkedHashMap<>();
    private final Map<String, Examples> examples = new LinkedHashMap<>();
    /** Per split, the rank (from 0) of each row. */
    private final Map<String, int[]> rankOf = new LinkedHashMap<>();
    private final LabelOverrides overrides;
    /** Every split's entries (split, rank) merged by self-confidence, lowest first. */
    private final List<Ref> order = new ArrayList<>();

    private record Ref(Split split, int rank) {}

    /**
     * @param spec the {@code --data} the splits came from (it names them in the overrides file)
     * @param overrides the decisions so far; each must fit the data (see {@link OverriddenLabels})
     */
    public Review(String spec, List<Split> ranked, LabelOverrides overrides) {
        this.spec = spec;
        this.overrides = overrides;
        for (Split s : ranked) {
            splits.put(s.name(), s);
            examples.put(s.name(), new Examples(s.data()));
            int[] rank = new int[s.ranked().length];
            for (int r = 0; r < rank.length; r++) rank[s.ranked()[r].index()] = r;
            rankOf.put(s.name(), rank);
            for (int r = 0; r < s.ranked().length; r++) order.add(new Ref(s, r));
        }
        order.sort(Comparator.comparingDouble((Ref x) -> x.split().ranked()[x.rank()].selfConfidence()));
    }

    public String spec() { return spec; }

    public Map<String, Split> splits() { return splits; }

    public LabelOverrides overrides() { return overrides; }

    /** The class names (both splits share them). */
    public List<String> classes() { return splits.values().iterator().next().data().classNames(); }

    /** The overrides file's name of a split, e.g. {@code digits/train}. */
    public String datasetName(String split) { return LabelOverrides.datasetName(spec, split); }

    /**
     * {@code size} entries from {@code offset} (from 0) in rank order, of split {@code split} (null:
     * every split), given label {@code givenClass} (null: any) and {@code status}.
     */
    public Page page(String split, String givenClass, Status status, int offset, int size) {
        int cls = givenClass == null ? -1 : classes().indexOf(givenClass);
        List<Entry> out = new ArrayList<>();
        int total = 0;
        for (Ref ref : order) {
            if (split != null && !ref.split().name().equals(split)) continue;
            LabelIssues.Issue x = ref.split().ranked()[ref.rank()];
            if (cls >= 0 && x.given() != cls) continue;
            if (status != Status.ALL) {
                boolean decided = decisionOf(ref.split(), x.index()) != null;
                if (decided != (status == Status.DECIDED)) continue;
            }
            if (total >= offset && total - offset < size) out.add(entry(ref.split(), ref.rank()));
            total++;
        }
        return new Page(out, total, offset);
    }

    /** The entry of row {@code index} of {@code split}. */
    public Entry entry(String split, int index) {
        return entry(splits.get(split), rankOf.get(split)[index]);
    }

    private Entry entry(Split s, int rank) {
        LabelIssues.Issue x = s.ranked()[rank];
        int k = s.data().numClasses(), best = 0;
        float[] p = s.probabilities();
        for (int j = 1; j < k; j++) if (p[x.index() * k + j] > p[x.index() * k + best]) best = j;
        LabelOverrides.Decision d = decisionOf(s, x.index());
        return new Entry(s.name(), x.index(), examples.get(s.name()).id(x.index()), rank + 1, s.data().className(x.given()),
                s.data().className(best), p[x.index() * k + best], x.selfConfidence(), s.data().className(x.suggested()), x.flagged(),
                d == null ? null : d.action());
    }

    private LabelOverrides.Decision decisionOf(Split s, int index) {
        return overrides.get(datasetName(s.name()), examples.get(s.name()).id(index));
    }

    /** What a person does with an example; {@code UNDO} forgets the decision. */
    public enum Action { KEEP, DELETE, RELABEL, UNDO }

    /**
     * Decides row {@code index} of {@code split} ({@code label}: the new class of a relabel); the
     * file is saved before this returns. Bad arguments are an {@link IllegalArgumentException} that
     * says which.
     */
    public Entry decide(String split, int index, Action action, String label) throws IOException {
        Split s = splits.get(split);
        if (s == null) throw new IllegalArgumentException("unknown split '" + split + "'; this page has " + splits.keySet());
        if (index < 0 || index >= s.data().size()) {
            throw new IllegalArgumentException("index " + index + " is out of range: " + split + " has " + s.data().size() + " examples (0.."
                    + (s.data().size() - 1) + ")");
        }
        String given = s.data().className(s.data().labels()[index]);
        String example = examples.get(split).id(index);
        switch (action) {
            case UNDO -> overrides.remove(datasetName(split), example);
            case KEEP -> overrides.put(datasetName(split), example, given, given);
            case DELETE -> overrides.put(datasetName(split), example, given, LabelOverrides.DELETE);
            case RELABEL -> {
                if (label == null || !classes().contains(label)) {
                    throw new IllegalArgumentException("unknown class " + (label == null ? "(none given)" : "'" + label + "'")
                            + "; the classes are " + String.join(", ", classes()));
                }
                if (label.equals(LabelOverrides.DELETE)) {
                    throw new IllegalArgumentException("a class named 'delete' cannot be a new label: the overrides file reads it as a deletion");
                }
                overrides.put(datasetName(split), example, given, label);
            }
        }
        return entry(split, index);
    }

    /** How many examples of every split have a decision. */
    public int decided() {
        int n = 0;
        for (Ref ref : order) if (decisionOf(ref.split(), ref.split().ranked()[ref.rank()].index()) != null) n++;
        return n;
    }
}
