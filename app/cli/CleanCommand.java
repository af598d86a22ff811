package app.cli;

import app.clean.CleanServer;
import app.clean.CrossValidated;
import app.clean.FlipCheck;
import app.clean.FolderEdits;
import app.clean.LabelIssues;
import app.clean.LabelOverrides;
import app.clean.OverriddenLabels;
import app.clean.Review;
import app.plot.ImageGrid;
import app.train.SavedModel;
import app.train.TrainConfig;
import data.Dataset;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code nabla clean}: ranks the examples of a split by how likely their label is wrong ({@link
 * LabelIssues} on out-of-sample probabilities), then serves a local page to keep, delete or relabel
 * them ({@link CleanServer}, decisions saved to a {@link LabelOverrides} file), or, with
 * {@code --report}, {@code --grid} or {@code --flip}, prints and writes the ranked list. With
 * {@code --flip F} it first flips a share F of the labels on purpose and says how many of them the
 * ranking finds, beside the plain top-losses order of a model trained on the flipped labels.
 * {@code --apply FILE} and {@code --undo LOG} move an image folder's files ({@link FolderEdits}).
 */
final class CleanCommand implements Main.Command {
    static Flags flags() {
        Flags f = new Flags("./nabla clean [flags]",
                "Ranks the training (or test) examples by how likely their label is wrong: out-of-sample class probabilities",
                "(k-fold cross-validation on the training set; the checkpoint's own model for the test set) and confident",
                "learning's rule (an example is an issue when another class is as likely as on that class's own examples),",
                "ordered by the probability of the given label; then serves a page to keep, delete or relabel them, or with",
                "--report, --grid or --flip writes the ranked list and exits.")
                .flag("split", "NAME", "both for the page alone, else train", "which examples to rank: train (k-fold), test (the checkpoint's model, which never "
                        + "saw them) or both (the page only)")
                .flag("folds", "K", "5", "folds of the cross-validation: each example is predicted by a model trained on the other K-1")
                .flag("epochs", "N", "the checkpoint's", "epochs of each fold's training")
                .flag("top", "N", "20", "rows printed, and written with --report (default there: every example, in rank order)")
                .flag("report", "FILE", null, "write the ranked list as CSV: rank, index, given, suggested, self_confidence, flagged")
                .flag("grid", "PNG", null, "draw the top rows as an image grid captioned 'given → suggested p(given)' (image datasets)")
                .flag("flip", "F", null, "check the ranking: flip a share F in (0, 0.5] of the labels (seeded) and report how many it finds")
                .toggle("serve", "serve the page also after --report or --grid (without --report, --grid or --flip it is served anyway)")
                .flag("host", "ADDRESS", "127.0.0.1", "the page's address (0.0.0.0: every interface)")
                .flag("port", "N", "8080", "the page's TCP port (0: one the system picks)")
                .flag("label-overrides", "FILE", "<checkpoint folder>/label-overrides.csv", "where the page saves the decisions "
                        + "(dataset,example,old_label,new_label; read first when it exists); ./nabla train --label-overrides FILE applies them")
                .flag("apply", "FILE", null, "move the images of the image folder --data as the overrides FILE says (deleted ones into "
                        + "<root>/" + FolderEdits.TRASH + "/<class>/), write an undo log, and exit")
                .flag("undo", "LOG", null, "move back the images of an --apply, as its undo log LOG lists, and exit")
                .flag("seed", "N", "42", "seed of the folds and of --flip");
        return Common.savedModelFlags(f, "the run whose model and training flags are used");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        if (f.given("undo") || f.given("apply")) return edit(f, out);
        boolean batch = f.given("report") || f.given("grid") || f.given("flip");
        boolean serve = f.given("serve") || !batch;
        if (serve && f.given("flip")) throw new Main.UsageException("--flip flips labels on purpose to check the ranking; it cannot go with the page");
        String split = f.given("split") ? f.getChoice("split", "train", "test", "both") : batch ? "train" : "both";
        if (split.equals("both") && batch) throw new Main.UsageException("--split both is for the page alone; --report and --grid rank one split");
        int folds = (int) f.getDouble("folds", 2, 100, "[]");
        long seed = (long) f.getDouble("seed", 0, Long.MAX_VALUE, "[]");
        double share = f.given("flip") ? f.getDouble("flip", 0, 0.5, "(]") : 0;
        int port = serve ? f.getInt("port", 0, 65535) : 0;
        Common.applyThreads(f, err);
        if (f.given("report")) UserPaths.outputFile("--report", Path.of(f.get("report")));
        if (f.given("grid")) UserPaths.outputFile("--grid", Path.of(f.get("grid")));
        Path checkpoint = UserPaths.input("--checkpoint", f.get("checkpoint"));
        Path overridesFile = f.given("label-overrides") ? Path.of(f.get("label-overrides"))
                : checkpoint.toAbsolutePath().getParent().resolve("label-overrides.csv");
        if (serve) UserPaths.outputFile("--label-overrides", overridesFile);
        // the port is taken before the ranking's minutes, so one in use is said at once
        CleanServer server = serve ? new CleanServer(f.get("host"), port, 30) : null;
        try {
            SavedModel model = SavedModel.load(checkpoint);
            TrainConfig config = f.given("epochs") ? model.config().withEpochs((int) f.getDouble("epochs", 1, 10_000, "[]")) : model.config();
            String spec = f.given("data") ? f.get("data") : config.data();
            Dataset.Split data = Common.openData(spec, f);
            LabelOverrides overrides = null;
            if (serve) {
                // decisions taken before must fit this data: a file for another dataset is refused before the ranking's minutes
                overrides = LabelOverrides.readOrEmpty(overridesFile);
                OverriddenLabels.apply(overrides, data, spec);
            }
            int[] flipped = null;
            if (share > 0) {
                Dataset set = split.equals("train") ? data.train() : data.test();
                flipped = FlipCheck.flip(set.labels(), set.numClasses(), share, seed);
                out.printf(Locale.ROOT, "flipped %d of %d labels of %s on purpose (seed %d)%n", flipped.length, set.size(), set.name(), seed);
            }
            List<Review.Split> ranked = new ArrayList<>();
            for (String name : split.equals("both") ? List.of("train", "test") : List.of(split)) {
                ranked.add(rank(name, name.equals("train") ? data.train() : data.test(), model, config, folds, seed, out));
            }
            if (batch) batchOutputs(f, ranked.get(0), flipped, data, config, out);
            return serve ? servePage(server, new Review(spec, ranked, overrides), out) : 0;
        } catch (Exception | Error e) {
            if (server != null) server.stop();
            throw e;
        }
    }

    /** One split ranked: k-fold probabilities for the training set, the checkpoint's model for the test set. */
    private static Review.Split rank(String name, Dataset set, SavedModel model, TrainConfig config, int folds, long seed, PrintStream out) {
        float[] p;
        if (name.equals("train")) {
            out.printf(Locale.ROOT, "cross-validating %s: %d folds of %s, %d epochs each%n", set.name(), folds, model.spec().modelString(), config.epochs());
            p = CrossValidated.probabilities(set, config, folds, seed, done -> out.println("fold " + done + "/" + folds + " done"));
        } else {
            p = model.evaluator(set).classProbabilities();
        }
        LabelIssues.Issue[] issues = LabelIssues.rank(p, set.labels(), set.numClasses());
        long flagged = Arrays.stream(issues).filter(LabelIssues.Issue::flagged).count();
        out.printf(Locale.ROOT, "%s: %d of %d examples flagged as label issues (%.1f%%)%n", set.name(), flagged, set.size(), 100.0 * flagged / set.size());
        return new Review.Split(name, set, p, issues);
    }

    /** Serves the page until SIGTERM or Ctrl-C. */
    private static int servePage(CleanServer server, Review review, PrintStream out) throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.onTerminate(() -> {
            try {
                server.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        });
        server.start(review);
        out.println("nabla clean: " + server.url() + " (decisions go to " + review.overrides().file() + "; Ctrl-C or SIGTERM stops)");
        out.flush();
        stopped.await();
        out.println("nabla clean: stopped; " + review.decided() + " decisions in " + review.overrides().file()
                + " (./nabla train --label-overrides " + review.overrides().file() + " applies them)");
        return 0;
    }

    /** {@code --apply FILE} or {@code --undo LOG} on an image folder. */
    private static int edit(Flags f, PrintStream out) throws Exception {
        if (f.given("undo") && f.given("apply")) throw new Main.UsageException("give --apply FILE or --undo LOG, not both");
        if (f.given("undo")) {
            Path log = UserPaths.input("--undo", f.get("undo"));
            FolderEdits.Undone u = FolderEdits.undo(log);
            out.println("undone: " + u.movedBack() + " images moved back" + (u.missing() > 0 ? ", " + u.missing() + " not found where the log put them" : "")
                    + "; the log is now " + log + ".undone");
            for (String r : u.renamed()) out.println("  its place was taken, so: " + r);
            return 0;
        }
        Path file = UserPaths.input("--apply", f.get("apply"));
        String spec = f.given("data") ? f.get("data") : SavedModel.load(UserPaths.input("--checkpoint", f.get("checkpoint"))).config().data();
        if (!java.nio.file.Files.isDirectory(Path.of(spec))) {
            throw new Main.UsageException("--apply moves the files of an image folder; --data " + spec + " is not a folder (train with "
                    + "--label-overrides " + file + " instead)");
        }
        FolderEdits.Applied a = FolderEdits.apply(LabelOverrides.read(file), Path.of(spec), java.time.LocalDateTime.now());
        out.printf(Locale.ROOT, "applied %s to %s: %d images moved to %s, %d into their new class folder, %d kept where they were%n",
                file, spec, a.deleted(), Path.of(spec).resolve(FolderEdits.TRASH), a.relabelled(), a.kept());
        out.println("undo log: " + a.log() + " (./nabla clean --undo " + a.log() + " moves them back); train on " + spec
                + " without --label-overrides now: the folder holds the decisions");
        return 0;
    }

    /** The table, --report, --grid and --flip's figures, on one ranked split. */
    private static void batchOutputs(Flags f, Review.Split r, int[] flipped, Dataset.Split data, TrainConfig config, PrintStream out)
            throws java.io.IOException {
        Dataset ranked = r.data();
        LabelIssues.Issue[] issues = r.ranked();
        int top = (int) f.getDouble("top", 0, Integer.MAX_VALUE, "[]");
        out.println("rank  index  given -> suggested  p(given)  flagged");
        for (int i = 0; i < Math.min(top, issues.length); i++) {
            LabelIssues.Issue x = issues[i];
            out.printf(Locale.ROOT, "%4d %6d  %s -> %s  %.4f  %s%n", i + 1, x.index(), ranked.className(x.given()),
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
            for (int i = 0; i < rows; i++) {
                idx[i] = issues[i].index();
                captions.add(String.format(Locale.ROOT, "%s → %s %.3f", ranked.className(issues[i].given()),
                        ranked.className(issues[i].suggested()), issues[i].selfConfidence()));
            }
            Path png = Path.of(f.get("grid"));
            Common.drawOrSayWhy(out, "grid", png, () -> ImageGrid.write(png, ranked, idx, captions, 5));
        }
        if (flipped != null) FlipCheck.report(issues, flipped, ranked, data.test(), config, out);
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
