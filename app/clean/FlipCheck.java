package app.clean;

import app.train.TrainConfig;
import app.train.Training;
import data.Dataset;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code clean --flip F}, the check of the ranking: a share F of the labels flipped on purpose
 * (seeded), then how many of them the ranking puts in its top 3% (recall) and how many of its top 3%
 * are flipped ones (precision), beside confident learning's flags and the plain top-losses order of
 * one model trained on all the flipped labels.
 */
public final class FlipCheck {
    private FlipCheck() {}

    /** Flips a share of the labels in place, each to another class drawn uniformly; returns the flipped indexes. */
    public static int[] flip(int[] labels, int classes, double share, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int n = (int) Math.round(share * labels.length);
        int[] order = java.util.stream.IntStream.range(0, labels.length).toArray();
        for (int i = 0; i < n; i++) {
            // partial Fisher–Yates: the first n of a seeded permutation
            int j = i + rng.nextInt(labels.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            labels[order[i]] = (labels[order[i]] + 1 + rng.nextInt(classes - 1)) % classes;
        }
        return Arrays.copyOf(order, n);
    }

    /** The figures of {@code issues} (the ranking of {@code ranked}, whose labels {@code flipped} were flipped). */
    public static void report(LabelIssues.Issue[] issues, int[] flipped, Dataset ranked, Dataset test, TrainConfig config, PrintStream out) {
        int k = ranked.numClasses();
        long flaggedCount = Arrays.stream(issues).filter(LabelIssues.Issue::flagged).count();
        Set<Integer> wrong = new HashSet<>();
        for (int i : flipped) wrong.add(i);
        int n = (int) Math.ceil(0.03 * ranked.size());
        int hits = 0;
        for (int i = 0; i < n; i++) if (wrong.contains(issues[i].index())) hits++;
        out.printf(Locale.ROOT, "ranking (cross-validated self-confidence), top 3%% (%d examples): recall %.3f (%d of %d flipped), precision %.3f%n",
                n, (double) hits / wrong.size(), hits, wrong.size(), (double) hits / n);
        long flaggedWrong = Arrays.stream(issues).filter(x -> x.flagged() && wrong.contains(x.index())).count();
        out.printf(Locale.ROOT, "confident learning flagged %d of the %d flipped (and %d others)%n", flaggedWrong, wrong.size(),
                flaggedCount - flaggedWrong);
        // the plain top-losses order of one model trained on all the (flipped) labels: it has seen them
        Training run = Training.start(config, new Dataset.Split(ranked, test));
        while (!run.finished()) run.trainEpoch();
        int[] byLoss = LabelIssues.byLoss(run.evaluator(ranked).classProbabilities(), ranked.labels(), k);
        int lossHits = 0;
        for (int i = 0; i < n; i++) if (wrong.contains(byLoss[i])) lossHits++;
        out.printf(Locale.ROOT, "top losses of a model trained on them, top 3%%: recall %.3f (%d of %d), precision %.3f%n",
                (double) lossHits / wrong.size(), lossHits, wrong.size(), (double) lossHits / n);
    }
}
