package app.cli;

import app.plot.ConfusionImage;
import app.plot.Plots;
import app.tensorboard.TrainingBoard;
import app.train.Checkpoint;
import app.train.Evaluator;
import app.train.MetricsLog;
import app.train.ModelSpec;
import app.train.OverfitCheck;
import app.train.ProgressBar;
import app.train.Restarts;
import app.train.TrainConfig;
import app.train.TrainOptions;
import app.train.Training;
import backprop.EpochMetrics;
import backprop.Layer;
import backprop.Parameter;
import data.Dataset;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import kernels.Warmup;

/**
 * {@code nabla train}: trains a multilayer perceptron, shows its progress, validates after every
 * epoch, saves a checkpoint, then prints the test accuracy and the confusion matrix and draws the
 * loss curves.
 */
final class TrainCommand implements Main.Command {
    static Flags flags() {
        Flags f = new Flags("./nabla train [flags]",
                "Trains a multilayer perceptron with SGD and reports the test accuracy. With no flags: the embedded digits,",
                "a 64-64-10 ReLU network, 20 epochs, a few seconds. Each epoch trains on every training example once.");
        Common.modelFlags(f);
        Common.declare(f, TrainOptions.Group.TRAINING);
        f.flag("optimizer", "NAME", "sgd", "the optimizer: sgd (momentum, decay and regularization by their flags)")
                .flag("overfit-batch", "N", null, "the tiny-batch check instead of a run: train full-batch steps on N seeded examples until "
                        + "the loss is below " + OverfitCheck.TARGET + " (at most " + OverfitCheck.MAX_STEPS + " steps), say after how many, "
                        + "or name the likely causes when it cannot; exit 1 then")
                .toggle("cache-features", "with a frozen body (--freeze 1,...,k, no dropout or batch norm in it): run the training set "
                        + "through the body once and train the head on its cached outputs; the training steps run on the CPU")
                .flag("restarts", "K", null, "random restarts: train seeds seed..seed+K-1 for --restart-epochs each, keep the lowest "
                        + "validation loss, continue it to --epochs, and print the spread")
                .flag("restart-epochs", "E", "1", "epochs each restart trains before the best is chosen")
                .flag("checkpoint", "PATH", "<out>/model.safetensors", "where to save the run after every epoch (safetensors, atomic; "
                        + "with --resume: the resumed file)")
                .flag("resume", "PATH", null, "continue the run saved in PATH: its flags, weights, momentum, schedule and epoch; "
                        + "flags given here override its flags (e.g. a larger --epochs); the result is bitwise that of an uninterrupted run")
                .flag("backend", "NAME", "auto", "where the training steps run: auto (the GPU if there is one and it mirrors the model, "
                        + "else the CPU), cpu, or cuda (exit 1 when it cannot); said in the first line of the output")
                .flag("out", "DIR", "out", "folder for the checkpoint and loss.png")
                .toggle("overwrite", "replace an existing checkpoint that this run did not write (without it the run refuses to start)")
                .flag("metrics", "FILE", null, "write one JSON object per epoch (epoch, steps, train_loss, val_loss, val_accuracy, "
                        + "learning_rate, seconds, examples_per_second)")
                .flag("tensorboard", "DIR", null, "write a TensorBoard event file in DIR (tensorboard --logdir DIR): the running train loss "
                        + "every " + TrainingBoard.EVERY_STEPS + " steps, the --metrics figures and the learning rate per epoch, "
                        + "weight and gradient histograms, and the confusion matrix and the top losses' images at the end")
                .note("Validation: datasets with their own test set (digits — split 80/20 per class with a fixed seed —, fashion-mnist,\n"
                        + "mnist, cifar10) validate on the test set unless --val-split is given; then the test set is only used at the end.\n"
                        + "Early stopping and plateau decay watch the validation loss, so use --val-split with them for an honest test accuracy.\n"
                        + "Per epoch: a progress bar (plain lines when the output is not a terminal), then one line with the train loss,\n"
                        + "validation loss and accuracy, and the seconds of the training pass. At the end: test accuracy, a confusion matrix,\n"
                        + "<out>/loss.png. Exit status 0 on success, 2 on bad usage, 1 on failure.\n"
                        + "Example (Fashion-MNIST, the README's config B):\n"
                        + "  ./nabla train --data fashion-mnist --model 784-256-128-10 --activation relu --init he --momentum 0.9 \\\n"
                        + "      --lr 0.05 --batch 128 --epochs 10 --threads 2");
        return f;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        f.getChoice("optimizer", "sgd");
        Checkpoint resumed = null;
        TrainConfig base = TrainConfig.defaults();
        if (f.given("resume")) {
            Path p = UserPaths.input("--resume", f.get("resume"));
            resumed = Checkpoint.read(p);
            if (!resumed.isTrainingCheckpoint()) {
                throw new IllegalArgumentException(p + " is not a nabla training checkpoint (no format '" + Checkpoint.FORMAT
                        + "' in its metadata), so there is no run to resume");
            }
            base = resumed.config();
        }
        TrainConfig config = config(f, base);
        Common.applyThreads(f, err);
        // the kernels compile on a second thread while the data loads, with only this model's activation
        Warmup.start(warmupActivations(config));
        if (f.given("overfit-batch")) return overfit(f, config, out);
        Path outDir = Path.of(f.get("out"));
        // a resumed run goes on saving where it was resumed from, unless told otherwise
        Path checkpointPath = f.given("checkpoint") ? Path.of(f.get("checkpoint"))
                : f.given("resume") ? Path.of(f.get("resume")) : outDir.resolve("model.safetensors");
        Path bestPath = bestPath(checkpointPath);
        UserPaths.outputFolder("--out", outDir);
        UserPaths.outputFile("--checkpoint", checkpointPath);
        boolean continuesIt = resumed != null && checkpointPath.toAbsolutePath().normalize()
                .equals(Path.of(f.get("resume")).toAbsolutePath().normalize());
        if (!continuesIt && !f.given("overwrite")) {
            refuseOverwrite(config.earlyStopping() > 0 ? List.of(checkpointPath, bestPath) : List.of(checkpointPath), checkpointPath);
        }
        if (f.given("metrics")) UserPaths.outputFile("--metrics", Path.of(f.get("metrics")));
        if (f.given("tensorboard")) UserPaths.outputFolder("--tensorboard", Path.of(f.get("tensorboard")));

        if (resumed != null && config.labelOverrides() != null && !f.given("label-overrides")) {
            checkRecordedLabelOverrides(config, Path.of(f.get("resume")), out);
        }
        Dataset.Split data = Common.withLabelOverrides(config.labelOverrides(), config.data(), Common.openData(config.data(), f), out);
        Training run;
        if (f.given("restarts") && resumed != null) {
            throw new Main.UsageException("--restarts chooses a seed at the start of a run; a --resume run has its seed already");
        }
        try {
            // a resumed run's weights come from its own checkpoint, not from --from again
            run = resumed != null ? Training.fromSeed(config, data)
                    : f.given("restarts") ? restarts(f, config, data, out) : Training.start(config, data);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (resumed != null) {
            run.restore(resumed);
            // flags given override the saved ones: the learning rate is the one restore() does not take from the config
            if (f.given("lr")) run.optimizer().setLearningRate(config.lr());
        }
        if (f.given("cache-features")) {
            if (f.getChoice("backend", "auto", "cpu", "cuda").equals("cuda")) {
                throw new Main.UsageException("--cache-features trains the head on the CPU; give --backend cpu or auto");
            }
            try {
                run.cacheFeatures();
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(e.getMessage());
            }
            out.println("backend: cpu (--cache-features: the head trains on the frozen body's " + run.cachedFeatures()
                    + " cached outputs per example, computed once)");
        } else {
            app.train.GpuTraining.use(f.getChoice("backend", "auto", "cpu", "cuda"), run, out);
        }
        describe(run, out);
        if (run.transfer() != null) out.println(run.transfer().describe() + (config.freeze() != null ? "; frozen: Linear " + config.freeze() : ""));
        if (resumed != null) out.println("resumed: " + f.get("resume") + " after epoch " + run.epoch() + ", lr " + run.optimizer().learningRate());
        if (resumed != null && run.finished()) {
            out.println("nothing left to train: " + f.get("resume") + (run.stoppedEarly()
                    ? " stopped early at epoch " + run.epoch() + " (no lower validation loss for " + config.earlyStopping() + " epochs)"
                    : " is at epoch " + run.epoch() + " and --epochs is " + config.epochs() + "; give --epochs above " + run.epoch()
                            + " to train more"));
        }

        MetricsLog metrics = f.given("metrics") ? MetricsLog.open(Path.of(f.get("metrics"))) : null;
        TrainingBoard board = f.given("tensorboard") ? TrainingBoard.open(Path.of(f.get("tensorboard")), run.network().parameters()) : null;
        if (board != null) out.println("tensorboard: " + board.file() + " (tensorboard --logdir " + f.get("tensorboard") + ")");
        try {
            if (metrics != null) for (EpochMetrics e : run.history()) metrics.write(e);
            ProgressBar bar = out == System.out ? ProgressBar.toStdout()
                    : new ProgressBar(out, false, System::nanoTime, ProgressBar.PLAIN_INTERVAL_NANOS);
            run.addListener(bar.epochs(config.epochs()));
            if (board != null) run.addListener(board);
            if (metrics != null) run.addListener(metrics);
            int saved = continuesIt ? run.epoch() : 0;
            while (!run.finished()) {
                int bestBefore = run.bestEpoch();
                EpochMetrics e;
                try {
                    e = run.trainEpoch();
                } catch (ArithmeticException diverged) {
                    // a non-finite or exploding loss: the weights are ruined, the last checkpoint written is not
                    String kept = saved > 0 ? "the last sane checkpoint is " + checkpointPath + " (epoch " + saved + ")"
                            : resumed != null ? "no checkpoint was written; " + f.get("resume") + " (epoch " + resumed.epoch() + ") is as it was"
                            : "no checkpoint was written";
                    throw new ArithmeticException("diverged at " + diverged.getMessage().replaceFirst(" \\(learning rate .*\\)$", "")
                            + " with lr " + run.optimizer().learningRate() + "; " + kept + "; try a lower --lr");
                }
                String line = e.summary().replaceFirst("^epoch \\d+", "epoch " + e.epoch() + "/" + config.epochs());
                if (config.lrDecay() != null) line += ", next lr " + run.optimizer().learningRate();
                out.println(line);
                Checkpoint ck = run.checkpoint();
                ck.write(checkpointPath);
                saved = run.epoch();
                if (config.earlyStopping() > 0 && run.bestEpoch() != bestBefore) ck.write(bestPath);
            }
        } catch (RuntimeException | IOException failure) {
            if (board != null) board.close();
            throw failure;
        } finally {
            if (metrics != null) metrics.close();
        }

        if (run.stoppedEarly()) {
            out.printf(Locale.ROOT, "early stopping: no lower validation loss for %d epochs; testing the best epoch, %d (val loss %.4f)%n",
                    config.earlyStopping(), run.bestEpoch(), run.bestValLoss());
        }
        run.restoreBest();
        Evaluator.Evaluation test = run.evaluator(run.testSet()).run(board != null);
        out.println("test accuracy: " + Common.f4(test.accuracy()));
        out.println(test.confusion().render(run.testSet().classNames()));
        if (board != null) {
            board.image("confusion_matrix", run.epoch(), ConfusionImage.render(test.confusion(), run.testSet().classNames()));
            board.topLosses(run.epoch(), run.testSet(), test);
            board.close();
        }
        List<EpochMetrics> h = run.history();
        if (!h.isEmpty()) {
            double[] train = new double[h.size()];
            double[] val = new double[h.size()];
            for (int i = 0; i < h.size(); i++) {
                train[i] = h.get(i).trainLoss();
                val[i] = h.get(i).valLoss();
            }
            Path png = outDir.resolve("loss.png");
            Common.drawOrSayWhy(out, "loss curves", png, () -> Plots.lossCurves(png, train, val));
        }
        out.println("checkpoint: " + checkpointPath + " (epoch " + run.epoch() + ")"
                + (config.earlyStopping() > 0 && run.bestEpoch() > 0 ? "; best: " + bestPath + " (epoch " + run.bestEpoch() + ")" : ""));
        return 0;
    }

    /** The activation loops worth warming up for {@code config}: its own, or all when --from brings a body of its own. */
    static Set<Warmup.Activation> warmupActivations(TrainConfig config) {
        if (config.from() != null) return EnumSet.allOf(Warmup.Activation.class);
        return switch (String.valueOf(config.activation())) {
            case "sigmoid" -> EnumSet.of(Warmup.Activation.SIGMOID);
            case "tanh" -> EnumSet.of(Warmup.Activation.TANH);
            case "relu", "leaky-relu", "leaky_relu" -> EnumSet.of(Warmup.Activation.LEAKY_RELU);
            default -> EnumSet.allOf(Warmup.Activation.class);
        };
    }

    /** Refuses to start when one of {@code files} exists: this run did not write it, and would replace it after epoch 1. */
    static void refuseOverwrite(List<Path> files, Path checkpoint) {
        for (Path p : files) {
            if (Files.exists(p)) {
                throw new IllegalStateException(p + " exists and this run did not write it: give --overwrite to replace it, "
                        + "--resume " + checkpoint + " to continue it, or another --out or --checkpoint");
            }
        }
    }

    /** {@code model.safetensors} → {@code model.best.safetensors}. */
    static Path bestPath(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String best = dot > 0 ? name.substring(0, dot) + ".best" + name.substring(dot) : name + ".best";
        return checkpoint.resolveSibling(best);
    }

    /**
     * The run's config: the flags given over {@code base} (the defaults, or the resumed checkpoint's config). The files it
     * names are recorded as absolute paths, so that a --resume from another folder finds them.
     */
    static TrainConfig config(Flags f, TrainConfig base) throws IOException {
        TrainConfig c = Common.config(f, base, TrainOptions.Group.MODEL, TrainOptions.Group.TRAINING);
        if (f.given("from")) c = c.toBuilder().from(UserPaths.input("--from", f.get("from")).toString()).build();
        if (f.given("label-overrides")) {
            c = c.toBuilder().labelOverrides(UserPaths.input("--label-overrides", f.get("label-overrides")).toAbsolutePath().normalize().toString()).build();
        }
        return c;
    }

    /**
     * A resumed run's label overrides, when the flag is not given again: the file its checkpoint recorded, which must still
     * be there and unchanged since that checkpoint was written (else the rest of the run would train on other labels).
     */
    static void checkRecordedLabelOverrides(TrainConfig config, Path resumedFrom, PrintStream out) throws IOException {
        Path file = Path.of(config.labelOverrides());
        if (!Files.isRegularFile(file)) {
            throw new IOException(resumedFrom + " was trained with --label-overrides " + file + ", which is not there now; give "
                    + "--label-overrides FILE to go on with another file");
        }
        java.nio.file.attribute.FileTime edited = Files.getLastModifiedTime(file), saved = Files.getLastModifiedTime(resumedFrom);
        if (edited.compareTo(saved) > 0) {
            double seconds = (edited.toMillis() - saved.toMillis()) / 1000.0;
            String after = seconds < 120 ? String.format(Locale.ROOT, "%.1f s", seconds) : seconds < 7200
                    ? String.format(Locale.ROOT, "%.0f min", seconds / 60) : String.format(Locale.ROOT, "%.1f h", seconds / 3600);
            throw new IOException(resumedFrom + " was trained with --label-overrides " + file + ", changed " + after
                    + " after that checkpoint was written; give --label-overrides " + file + " to go on with it as it is now");
        }
        out.println("label overrides: " + file + ", as " + resumedFrom + " recorded");
    }

    /** {@code --restarts K}: trains K seeds for --restart-epochs, prints each and the spread, returns the lowest validation loss. */
    private static Training restarts(Flags f, TrainConfig config, Dataset.Split data, PrintStream out) {
        int k = f.getInt("restarts", 1, 1000);
        int budget = f.getInt("restart-epochs", 1, 1_000_000);
        if (budget >= config.epochs()) {
            throw new Main.UsageException("--restart-epochs " + budget + " must be below --epochs " + config.epochs()
                    + ", so the kept run has epochs left to continue");
        }
        Restarts.Result r = Restarts.run(config, data, k, budget, out);
        out.println(Restarts.summary(r));
        return r.best();
    }

    /** {@code --overfit-batch N}: the tiny-batch check; exit 0 when the loss went below the target, 1 with the likely causes when not. */
    private static int overfit(Flags f, TrainConfig config, PrintStream out) throws IOException {
        Dataset.Split data = Common.withLabelOverrides(config.labelOverrides(), config.data(), Common.openData(config.data(), f), out);
        int n = f.getInt("overfit-batch", 1, data.train().size());
        long t0 = System.nanoTime();
        OverfitCheck.Result r;
        try {
            r = OverfitCheck.run(config, data.train(), n, OverfitCheck.MAX_STEPS);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String model;
        try {
            model = Training.spec(config, data.train()).modelString();
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (r.reached()) {
            out.printf(Locale.ROOT, "overfit check: %s memorized %d examples of %s (seed %d): loss %.3g < %s after %d full-batch steps "
                    + "(%.1f s, lr %s); the model and its training can learn%n", model, n, config.data(), config.seed(), r.lastLoss(),
                    OverfitCheck.TARGET, r.steps(), seconds, config.lr());
            return 0;
        }
        out.printf(Locale.ROOT, "overfit check FAILED: %s could not bring the loss on %d examples of %s (seed %d) below %s in %d "
                + "full-batch steps (%.1f s): it went from %.4g to %.4g. Likely causes:%n", model, n, config.data(), config.seed(),
                OverfitCheck.TARGET, r.steps(), seconds, r.firstLoss(), r.lastLoss());
        for (String c : r.causes()) out.println("  - " + c);
        return 1;
    }

    /** " (text labels: cat, dog)" for a CSV whose label column is text, so a user sees it was not read as numbers. */
    static String textLabels(String data, List<String> classes) {
        if (!data.toLowerCase(Locale.ROOT).matches(".*\\.csv(\\.gz)?")) return "";
        for (int c = 0; c < classes.size(); c++) {
            if (!classes.get(c).equals(Integer.toString(c))) {
                String shown = String.join(", ", classes.subList(0, Math.min(5, classes.size())));
                return " (text labels: " + shown + (classes.size() > 5 ? ", ..." : "") + ")";
            }
        }
        return "";
    }

    private static void describe(Training run, PrintStream out) {
        TrainConfig c = run.config();
        Dataset train = run.trainSet();
        out.printf(Locale.ROOT, "data: %s, %d training examples of %d features, %d classes%s; validation: %s (%d)%n",
                c.data(), train.size(), train.dim(), train.numClasses(), textLabels(c.data(), train.classNames()),
                run.validationIsTest() ? "the test set" : "a held-out " + Math.round(100 * c.valSplit()) + "% of the training set",
                run.validationSet().size());
        StringBuilder layers = new StringBuilder();
        long params = 0;
        for (Map<String, Object> m : ModelSpec.architecture(run.network())) {
            if (layers.length() > 0) layers.append(" → ");
            layers.append(m.get("type"));
            if (m.containsKey("in_features")) layers.append('(').append(m.get("in_features")).append("→").append(m.get("out_features")).append(')');
            if (m.containsKey("p")) layers.append('(').append(m.get("p")).append(')');
        }
        int frozen = 0;
        for (Layer l : run.network().layers()) {
            for (Parameter p : l.parameters()) {
                params += p.size();
                if (p.frozen()) frozen += p.size();
            }
        }
        out.printf(Locale.ROOT, "model: %s: %s; %,d parameters%s; loss %s, init %s%n", run.spec().modelString(), layers, params,
                frozen > 0 ? " (" + String.format(Locale.ROOT, "%,d", frozen) + " frozen)" : "", c.loss(), c.init());
        int threads = kernels.ThreadPool.get().threads();
        out.printf(Locale.ROOT, "training: %s, batch %d, %d epoch%s%s%s, seed %d, %d thread%s%n", run.optimizer(), c.batch(), c.epochs(),
                c.epochs() == 1 ? "" : "s",
                c.lrDecay() != null ? ", lr decay " + c.lrDecay() : "",
                c.earlyStopping() > 0 ? ", early stopping after " + c.earlyStopping() + " epochs without improvement" : "",
                c.seed(), threads, threads == 1 ? "" : "s");
    }
}
