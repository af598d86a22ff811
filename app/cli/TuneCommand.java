package app.cli;

import app.plot.Plots;
import app.train.TrainConfig;
import app.tune.Asha;
import app.tune.SearchSpace;
import app.tune.Trial;
import app.tune.TuneLog;
import app.tune.Tuner;
import data.Dataset;
import data.Rng;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code nabla tune}: a hyperparameter search over {@code ./nabla train} flags with random, grid or
 * ASHA scheduling, on a held-out share of the training set (never the test set). Its results
 * file is also its state: the same command run again continues it.
 */
final class TuneCommand implements Main.Command {
    /** Train flags a trial sets itself (or that do not change what it computes): not searchable, not fixed. */
    static final Set<String> NOT_SEARCHABLE = Set.of("help", "data", "epochs", "val-split", "seed", "out", "checkpoint", "resume", "overwrite",
            "metrics", "tensorboard", "backend", "threads", "overfit-batch", "cache-features", "restarts", "restart-epochs", "label-column", "header", "delimiter",
            "label-overrides");

    static Flags flags() {
        Flags f = new Flags("./nabla tune --space SPACE [flags]",
                "Searches ./nabla train flags: trains each trial on the training set less a held-out share, validates on that",
                "share after every epoch, and prints the best trial as the ./nabla train command that trains it.");
        f.flag("data", "SPEC", TrainConfig.defaults().data(), Common.DATA_HELP)
                .flag("space", "SPACE", null, "the flags to search, ';'-separated: FLAG=a,b,c (a list), FLAG=LO:HI (uniform), "
                        + "FLAG=log:LO:HI (log-uniform), FLAG=int:LO:HI; e.g. \"lr=log:1e-4:1; batch=32,64,128; model=64-32-10,64-64-10\"")
                .flag("fixed", "FLAGS", "", "train flags every trial gets, e.g. \"--init he --momentum 0.9\"")
                .flag("scheduler", "NAME", "asha", "random (every trial runs --max-epochs), grid (every combination of the lists, "
                        + "in order) or asha (random trials paused at rungs --min-epochs·eta^k; the best 1/eta at a rung go on)")
                .flag("trials", "N", "20", "trials to run (grid: at most this many combinations)")
                .flag("max-epochs", "R", "9", "epochs of a trial that is not pruned")
                .flag("min-epochs", "R", "1", "ASHA's first rung, r_min")
                .flag("eta", "ETA", "3", "ASHA's reduction factor: a trial paused at a rung is promoted when in the top 1/eta of the losses recorded there")
                .flag("parallel", "P", "1", "trials trained at a time, each with threads/P kernel threads; a trial's numbers do not depend on it")
                .flag("subset", "N", null, "train on a stratified, seeded share of N examples of the training set (faster trials)")
                .flag("val-split", "F", "0.2", "the stratified share of the (subset of the) training set that validates; the test set is never read")
                .flag("seed", "N", "42", "the tune's seed: trial i's flags and seed are functions of (seed, i)")
                .flag("out", "DIR", "tune", "folder for results.jsonl (the state: run the same command again to continue) and val-loss.png")
                .flag("tensorboard", "DIR", null, "write TensorBoard event files, one run folder DIR/trial-<id> per trial "
                        + "(tensorboard --logdir DIR compares them)")
                .flag("threads", "N", null, "kernel threads in all (default, and most: the processors this JVM may use)");
        Common.csvFlags(f);
        return f.note("The live table prints a row as each trial starts, pauses at a rung, goes on and ends. With --parallel above 1,\n"
                + "ASHA's promotions depend on which losses a rung holds when a worker asks for a job, which can vary between\n"
                + "runs; each trial's own numbers do not. With --parallel 1 the whole tune is deterministic.\n"
                + "Example: ./nabla tune --space \"lr=log:1e-3:1; model=64-32-10,64-128-10; momentum=0,0.9\" --trials 27 --max-epochs 9");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        if (!f.given("space")) throw new Main.UsageException("--space is required, e.g. --space \"lr=log:1e-4:1; batch=32,64\"");
        SearchSpace space;
        try {
            space = SearchSpace.parse(f.get("space"));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--space: " + e.getMessage());
        }
        String scheduler = f.getChoice("scheduler", "random", "grid", "asha");
        int trials = f.getInt("trials", 1, 100_000);
        int maxEpochs = f.getInt("max-epochs", 1, 100_000);
        int minEpochs = f.getInt("min-epochs", 1, maxEpochs);
        int eta = f.getInt("eta", 2, 100);
        int parallel = f.getInt("parallel", 1, 64);
        double valSplit = f.getDouble("val-split", 0, 1, "()");
        long seed = f.getLong("seed");
        String[] fixed = f.get("fixed").isBlank() ? new String[0] : f.get("fixed").strip().split("\\s+");
        checkFlags(space, fixed);

        List<Trial> plan;
        try {
            plan = Tuner.plan(space, scheduler.equals("grid"), trials, seed);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--space: " + e.getMessage());
        }
        Map<Integer, TrainConfig> configs = new HashMap<>();
        for (Trial t : plan) configs.put(t.id(), trialConfig(f.get("data"), fixed, t));

        int threads = f.given("threads") ? Common.capThreads(f.getInt("threads", 1, 1024), err) : Runtime.getRuntime().availableProcessors();
        kernels.ThreadPool.setThreads(Math.max(1, threads / parallel));
        Path outDir = Path.of(f.get("out"));
        UserPaths.outputFolder("--out", outDir);
        Dataset.Split data = split(Common.openData(f.get("data"), f), f.given("subset") ? f.getInt("subset", 2, Integer.MAX_VALUE) : 0,
                valSplit, seed);

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("data", f.get("data"));
        settings.put("space", f.get("space"));
        settings.put("fixed", f.get("fixed"));
        settings.put("scheduler", scheduler);
        settings.put("trials", (long) trials);
        settings.put("max_epochs", (long) maxEpochs);
        settings.put("min_epochs", (long) minEpochs);
        settings.put("eta", (long) eta);
        settings.put("subset", f.given("subset") ? Long.valueOf(f.get("subset").strip()) : null);
        settings.put("val_split", valSplit);
        settings.put("seed", seed);
        Asha asha = scheduler.equals("asha") ? new Asha(minEpochs, eta, maxEpochs, plan.size()) : null;
        out.printf(Locale.ROOT, "tune: %d %s trials of %s on %s (%d training, %d validation examples; the test set is not read), "
                        + "up to %d epochs each%s, %d at a time with %d threads each, seed %d%n", plan.size(), scheduler, f.get("space"),
                f.get("data"), data.train().size(), data.test().size(), maxEpochs,
                asha != null ? ", rungs at " + asha.rungs() + " epochs, eta " + eta : "", parallel, kernels.ThreadPool.get().threads(), seed);
        Map<Integer, Trial.Outcome> outcomes;
        Path results = outDir.resolve("results.jsonl");
        try (TuneLog log = TuneLog.open(results, settings, asha == null ? List.of() : asha.rungs())) {
            if (!log.ended().isEmpty() || !log.paused().isEmpty()) {
                out.println("continuing " + results + ": " + log.ended().size() + " trials already ended"
                        + (log.paused().isEmpty() ? "" : ", " + log.paused().size() + " paused at a rung"));
            }
            LiveTable table = new LiveTable(out);
            Path board = f.given("tensorboard") ? UserPaths.outputFolder("--tensorboard", Path.of(f.get("tensorboard"))) : null;
            if (board != null) out.println("tensorboard: a run folder per trial in " + board + " (tensorboard --logdir " + board + ")");
            outcomes = Tuner.run(plan, t -> configs.get(t.id()), data, maxEpochs, asha, parallel, log, table, board);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        report(out, outcomes, plan.size(), maxEpochs, outDir, f, fixed, valSplit);
        out.println("results: " + results);
        return 0;
    }

    /** Every --space and --fixed flag must be a train flag a trial may set. */
    private static void checkFlags(SearchSpace space, String[] fixed) {
        Flags train = TrainCommand.flags();
        List<String> names = new ArrayList<>(space.flags().keySet());
        for (String a : fixed) if (a.startsWith("--")) names.add(a.substring(2).replaceFirst("=.*", ""));
        for (String n : names) {
            try {
                train.given(n);
            } catch (IllegalStateException unknown) {
                throw new Main.UsageException("'" + n + "' is not a flag of ./nabla train (see ./nabla train --help)");
            }
            if (NOT_SEARCHABLE.contains(n)) {
                throw new Main.UsageException("--" + n + " is set by tune itself (or changes nothing a trial computes); it cannot be searched or fixed");
            }
        }
    }

    /** The train flags of trial t: --fixed, then its own, then its data and seed. */
    static List<String> trainArgs(String data, String[] fixed, Trial t) {
        List<String> a = new ArrayList<>(List.of(fixed));
        t.flags().forEach((k, v) -> {
            a.add("--" + k);
            a.add(v);
        });
        a.addAll(List.of("--data", data, "--seed", Long.toString(t.seed())));
        return a;
    }

    private static TrainConfig trialConfig(String data, String[] fixed, Trial t) throws IOException {
        Flags train = TrainCommand.flags();
        List<String> a = trainArgs(data, fixed, t);
        try {
            train.parse(a.toArray(String[]::new), System.out);
            return TrainCommand.config(train, TrainConfig.defaults());
        } catch (Main.UsageException e) {
            throw new Main.UsageException("trial " + t.id() + " (" + String.join(" ", a) + "): " + e.getMessage());
        }
    }

    /** The tune's training and validation sets: a stratified subset of the training set, then a stratified split of it. */
    static Dataset.Split split(Dataset.Split all, int subset, double valSplit, long seed) {
        Dataset train = all.train();
        if (subset > 0 && subset < train.size()) {
            train = train.stratifiedSplit((double) subset / train.size(), Rng.mix(seed, 9, 0)).test();
        }
        Dataset.Split s = train.stratifiedSplit(valSplit, Rng.mix(seed, 9, 1));
        return new Dataset.Split(s.train(), s.test());
    }

    /** Rows as trials start and end: trial, state, epochs, val loss, val accuracy, flags. */
    static final class LiveTable implements Tuner.Listener {
        private final PrintStream out;

        LiveTable(PrintStream out) {
            this.out = out;
            out.printf(Locale.ROOT, "%5s  %-8s  %6s  %8s  %7s  %s%n", "trial", "state", "epochs", "val loss", "val acc", "flags");
        }

        @Override
        public synchronized void started(Trial t) {
            out.printf(Locale.ROOT, "%5d  %-8s  %6s  %8s  %7s  %s%n", t.id(), "running", "", "", "", flagsText(t));
        }

        @Override
        public synchronized void paused(Trial.Outcome o) {
            row(o);
        }

        @Override
        public synchronized void resumed(Trial t, int fromEpoch, int toEpoch, boolean retrained) {
            out.printf(Locale.ROOT, "%5d  %-8s  %6s  %8s  %7s  %s%s%n", t.id(), "promoted", fromEpoch + "->" + toEpoch, "", "", flagsText(t),
                    retrained ? "  (its training is not in memory: epochs 1-" + fromEpoch + " train again, unlogged)" : "");
        }

        @Override
        public synchronized void note(String line) {
            out.println("note: " + line);
        }

        @Override
        public synchronized void ended(Trial.Outcome o) {
            row(o);
        }

        private void row(Trial.Outcome o) {
            out.printf(Locale.ROOT, "%5d  %-8s  %6d  %8.4f  %7.4f  %s%s%n", o.trial().id(), o.state(), o.epochs().size(), o.valLoss(),
                    o.valAccuracy(), flagsText(o.trial()), o.reason() != null ? "  (" + o.reason() + ")" : "");
        }
    }

    static String flagsText(Trial t) {
        StringBuilder sb = new StringBuilder();
        t.flags().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static void report(PrintStream out, Map<Integer, Trial.Outcome> outcomes, int planned, int maxEpochs, Path outDir, Flags f,
                               String[] fixed, double valSplit) throws IOException {
        int epochs = 0, pruned = 0, failed = 0;
        List<double[]> curves = new ArrayList<>();
        List<Trial.Outcome> list = new ArrayList<>(outcomes.values());
        boolean[] cut = new boolean[list.size()];
        for (int i = 0; i < list.size(); i++) {
            Trial.Outcome o = list.get(i);
            epochs += o.epochs().size();
            if (o.state().equals(Trial.PRUNED)) pruned++;
            if (o.state().equals(Trial.FAILED)) failed++;
            cut[i] = !o.state().equals(Trial.FINISHED);
            curves.add(o.epochs().stream().mapToDouble(e -> e.valLoss()).toArray());
        }
        out.printf(Locale.ROOT, "%d trials: %d finished, %d pruned, %d failed; %d epochs in all (every trial to --max-epochs: %d)%n",
                list.size(), list.size() - pruned - failed, pruned, failed, epochs, planned * maxEpochs);
        Trial.Outcome best = Tuner.best(outcomes, maxEpochs);
        if (best == null) {
            out.println("no trial has a validation loss: see the failures above");
            return;
        }
        out.printf(Locale.ROOT, "best: trial %d, val loss %.4f, val accuracy %.4f after %d epochs: %s%n", best.trial().id(), best.valLoss(),
                best.valAccuracy(), best.epochs().size(), flagsText(best.trial()));
        List<String> cmd = new ArrayList<>(List.of("./nabla", "train"));
        cmd.addAll(trainArgs(f.get("data"), fixed, best.trial()));
        cmd.addAll(List.of("--epochs", Integer.toString(best.epochs().size()), "--val-split", Double.toString(valSplit)));
        StringBuilder line = new StringBuilder();
        for (String a : cmd) line.append(line.length() == 0 ? "" : " ").append(a.matches("[A-Za-z0-9_./:=,+-]+") ? a : "'" + a + "'");
        out.println("train it: " + line + "  (it trains on the whole training set less its own --val-split: --subset and the tune's split are not train flags)");
        Path png = outDir.resolve("val-loss.png");
        int bestIndex = list.indexOf(best);
        Common.drawOrSayWhy(out, "validation loss per trial", png, () -> Plots.tuneCurves(curves, cut, bestIndex,
                "best: trial " + best.trial().id()).write(png, Plots.WIDTH, Plots.HEIGHT));
    }
}
