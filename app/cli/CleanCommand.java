package app.cli;

import app.clean.CrossValidated;
import app.clean.LabelIssues;
import app.plot.ImageGrid;
import app.train.SavedModel;
import app.train.TrainConfig;
import app.train.Training;
import data.Dataset;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code nabla clean}: ranks the examples of a split by how likely their label is wrong ({@link
 * LabelIssues} on out-of-sample probabilities) and prints or writes the ranked list. With
 * {@code --flip F} it first flips a share F of the labels on purpose and says how many of them the
 * ranking finds, beside the plain top-losses order of a model trained on the flipped labels.
 */
final class CleanCommand implements Main.Command {
    static Flags flags() {
        Flags f = new Flags("./nabla clean [flags]",
                "Ranks the training (or test) examples by how likely their label is wrong: out-of-sample class probabilities",
                "(k-fold cross-validation on the training set; the checkpoint's own model for the test set) and confident",
                "learning's rule (an example is an issue when another class is as likely as on that class's own examples),",
                "ordered by the probability of the given label.")
                .flag("checkpoint", "PATH", "out/model.safetensors", "the run whose model and training flags are used (written by ./nabla train)")
                .flag("data", "SPEC", "the checkpoint's", Common.DATA_HELP)
                .flag("split", "NAME", "train", "which examples to rank: train (k-fold) or test (the checkpoint's model, which never saw them)")
                .flag("folds", "K", "5", "folds of the cross-validation: each example is predicted by a model trained on the other K-1")
                .flag("epochs", "N", "the checkpoint's", "epochs of each fold's training")
                .flag("top", "N", "20", "rows printed, and written with --report (default there: every example, in rank order)")
                .flag("report", "FILE", null, "write the ranked list as CSV: rank, index, given, suggested, self_confidence, flagged")
                .flag("grid", "PNG", null, "draw the top rows as an image grid captioned 'given → suggested p(given)' (image datasets)")
                .flag("flip", "F", null, "check the ranking: flip a share F in (0, 0.5] of the labels (seeded) and report how many it finds")
                .flag("seed", "N", "42", "seed of the folds and of --flip")
                .flag("threads", "N", null, "threads for the kernels (default: the available processors)");
        return Common.csvFlags(f);
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        String split = f.getChoice("split", "train", "test");
        int folds = (int) f.getDouble("folds", 2, 100, "[]");
        long seed = (long) f.getDouble("seed", 0, Long.MAX_VALUE, "[]");
        double share = f.given("flip") ? f.getDouble("flip", 0, 0.5, "(]") : 0;
        Common.applyThreads(f);
        if (f.given("report")) UserPaths.outputFile("--report", Path.of(f.get("report")));
        if (f.given("grid")) UserPaths.outputFile("--grid", Path.of(f.get("grid")));
        SavedModel model = SavedModel.load(UserPaths.input("--checkpoint", f.get("checkpoint")));
        TrainConfig config = f.given("epochs") ? model.config().withEpochs((int) f.getDouble("epochs", 1, 10_000, "[]")) : model.config();
        String spec = f.given("data") ? f.get("data") : config.data();
        Dataset.Split data = Common.openData(spec, f);
        Dataset ranked = split.equals("train") ? data.train() : data.test();
        int[] flipped = null;
        if (share > 0) {
            flipped = flip(ranked.labels(), ranked.numClasses(), share, seed);
            out.printf(Locale.ROOT, "flipped %d of %d labels of %s on purpose (seed %d)%n", flipped.length, ranked.size(), ranked.name(), seed);
        }
        int k = ranked.numClasses();
        float[] p;
        if (split.equals("train")) {
            out.printf(Locale.ROOT, "cross-validating %s: %d folds of %s, %d epochs each%n", ranked.name(), folds, model.spec().modelString(), config.epochs());
            p = CrossValidated.probabilities(ranked, config, folds, seed, done -> out.println("fold " + done + "/" + folds + " done"));
        } else {
            p = model.evaluator(ranked).classProbabilities();
        }
        LabelIssues.Issue[] issues = LabelIssues.rank(p, ranked.labels(), k);
        long flaggedCount = Arrays.stream(issues).filter(LabelIssues.Issue::flagged).count();
        out.printf(Locale.ROOT, "%d of %d examples flagged as label issues (%.1f%%)%n", flaggedCount, ranked.size(), 100.0 * flaggedCount / ranked.size());
        int top = (int) f.getDouble("top", 0, Integer.MAX_VALUE, "[]");
        out.println("rank  index  given -> suggested  p(given)  flagged");
        for (int r = 0; r < Math.min(top, issues.length); r++) {
            LabelIssues.Issue x = issues[r];
            out.printf(Locale.ROOT, "%4d %6d  %s -> %s  %.4f  %s%n", r + 1, x.index(), ranked.className(x.given()),
                    ranked.className(x.suggested()), x.selfConfidence(), x.flagged() ? "yes" : "no");
        }
        if (f.given("report")) {
            int rows = f.given("top") ? Math.min(top, issues.length) : issues.length;
            write(Path.of(f.get("report")), issues, rows, ranked);
            out.println("report: " + f.get("report") + " (" + rows + " rows)");
        }
        if (f.given("grid")) {
            int rows = Math.min(top, issues.length);
            int[] idx = new int[rows];
            List<String> captions = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                idx[r] = issues[r].index();
                captions.add(String.format(Locale.ROOT, "%s → %s %.3f", ranked.className(issues[r].given()),
                        ranked.className(issues[r].suggested()), issues[r].selfConfidence()));
            }
            Path png = Path.of(f.get("grid"));
            Common.drawOrSayWhy(out, "grid", png, () -> ImageGrid.write(png, ranked, idx, captions, 5));
        }
        if (flipped != null) {
            Set<Integer> wrong = new HashSet<>();
            for (int i : flipped) wrong.add(i);
            int n = (int) Math.ceil(0.03 * ranked.size());
            int hits = 0;
            for (int r = 0; r < n; r++) if (wrong.contains(issues[r].index())) hits++;
            out.printf(Locale.ROOT, "ranking (cross-validated self-confidence), top 3%% (%d examples): recall %.3f (%d of %d flipped), precision %.3f%n",
                    n, (double) hits / wrong.size(), hits, wrong.size(), (double) hits / n);
            long flaggedWrong = Arrays.stream(issues).filter(x -> x.flagged() && wrong.contains(x.index())).count();
            out.printf(Locale.ROOT, "confident learning flagged %d of the %d flipped (and %d others)%n", flaggedWrong, wrong.size(),
                    flaggedCount - flaggedWrong);
            // the plain top-losses order of one model trained on all the (flipped) labels: it has seen them
            Training run = Training.start(config, new Dataset.Split(ranked, data.test()));
            while (!run.finished()) run.trainEpoch();
            int[] byLoss = LabelIssues.byLoss(run.evaluator(ranked).classProbabilities(), ranked.labels(), k);
            int lossHits = 0;
            for (int r = 0; r < n; r++) if (wrong.contains(byLoss[r])) lossHits++;
            out.printf(Locale.ROOT, "top losses of a model trained on them, top 3%%: recall %.3f (%d of %d), precision %.3f%n",
                    (double) lossHits / wrong.size(), lossHits, wrong.size(), (double) lossHits / n);
        }
        return 0;
    }

    /** Flips a share of the labels in place, each to another class drawn uniformly; returns the flipped indexes. */
    static int[] flip(int[] labels, int classes, double share, long seed) {
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

    private static void write(Path file, LabelIssues.Issue[] issues, int rows, Dataset data) throws java.io.IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("rank,index,given,suggested,self_confidence,flagged\n");
            for (int r = 0; r < rows; r++) {
                LabelIssues.Issue x = issues[r];
                w.write(String.format(Locale.ROOT, "%d,%d,%s,%s,%.6f,%b%n", r + 1, x.index(), csv(data.className(x.given())),
                        csv(data.className(x.suggested())), x.selfConfidence(), x.flagged()));
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
