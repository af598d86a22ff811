package app.clean;

import data.Dataset;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code train --label-overrides FILE}: a dataset as loaded, with a label-overrides file's decisions
 * applied (relabelled rows take their new class, deleted rows are left out), after every line was
 * checked against the data: a file for another dataset, an example that is not there, an unknown
 * class or an old label the data does not hold is refused with the file and line.
 */
public final class OverriddenLabels {
    /** The data with the decisions applied, and how many of each. */
    public record Result(Dataset.Split data, int relabelled, int deleted, int kept) {
        public String summary() {
            return String.format(Locale.ROOT, "%d relabelled, %d deleted, %d kept as they were", relabelled, deleted, kept);
        }
    }

    private OverriddenLabels() {}

    /** Applies {@code overrides} to {@code data}, which {@code --data spec} loaded. */
    public static Result apply(LabelOverrides overrides, Dataset.Split data, String spec) throws LabelOverrides.BadFile {
        String trainName = LabelOverrides.datasetName(spec, "train"), testName = LabelOverrides.datasetName(spec, "test");
        int[][] newLabels = {data.train().labels().clone(), data.test().labels().clone()};
        boolean[][] deleted = {new boolean[data.train().size()], new boolean[data.test().size()]};
        Examples[] examples = {new Examples(data.train()), new Examples(data.test())};
        int relabelled = 0, dropped = 0, kept = 0;
        for (LabelOverrides.Decision d : overrides.decisions()) {
            int s = d.dataset().equals(trainName) ? 0 : d.dataset().equals(testName) ? 1 : -1;
            if (s < 0) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "dataset '" + d.dataset() + "' is not this data: --data " + spec
                        + " is " + trainName + " and " + testName + " (the file is for another dataset)");
            }
            Dataset set = s == 0 ? data.train() : data.test();
            int row;
            try {
                row = examples[s].row(d.example());
            } catch (IllegalArgumentException e) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), e.getMessage());
            }
            int old = set.classNames().indexOf(d.oldLabel());
            if (old != set.labels()[row]) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "old label '" + d.oldLabel() + "' does not match the data: "
                        + d.dataset() + " example " + d.example() + " is labelled '" + set.className(set.labels()[row]) + "'");
            }
            if (d.deletes()) {
                deleted[s][row] = true;
                dropped++;
                continue;
            }
            int to = set.classNames().indexOf(d.newLabel());
            if (to < 0) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "unknown class '" + d.newLabel() + "': " + d.dataset()
                        + " has " + String.join(", ", set.classNames()) + " (or delete)");
            }
            newLabels[s][row] = to;
            if (to == old) kept++; else relabelled++;
        }
        Dataset train = changed(data.train(), newLabels[0], deleted[0], overrides);
        Dataset test = changed(data.test(), newLabels[1], deleted[1], overrides);
        return new Result(new Dataset.Split(train, test), relabelled, dropped, kept);
    }

    private static Dataset changed(Dataset set, int[] labels, boolean[] deleted, LabelOverrides overrides) throws LabelOverrides.BadFile {
        int[] keep = java.util.stream.IntStream.range(0, set.size()).filter(i -> !deleted[i]).toArray();
        if (keep.length == set.size() && Arrays.equals(labels, set.labels())) return set;
        if (keep.length == 0) throw new LabelOverrides.BadFile(overrides.file(), 0, "deletes every example of " + set.name());
        Dataset out = set.subset(set.name(), keep);
        int[] y = out.labels(); // the subset's own copy
        for (int j = 0; j < keep.length; j++) y[j] = labels[keep[j]];
        return out;
    }
}
