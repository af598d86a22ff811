package app.cli;

import app.plot.Plots;
import app.train.LrFinder;
import app.train.TrainConfig;
import app.train.Training;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** {@code nabla lr-find}: the learning-rate range test for a model and dataset. */
final class LrFindCommand implements Main.Command {
    /** The training options the range test takes, declared and parsed from their rows of TrainOptions. */
    private static final String[] TRAINING_FLAGS = {"momentum", "l1", "l2", "batch"};

    static Flags flags() {
        Flags f = new Flags("./nabla lr-find [flags]",
                "The learning-rate range test: trains from fresh weights for --steps minibatches while the learning rate grows",
                "exponentially from --start to --end, records the smoothed loss, suggests the rate of steepest sustained descent",
                "and draws loss against learning rate (log axis).");
        Common.modelFlags(f);
        return Common.declare(f, TRAINING_FLAGS)
                .flag("start", "LR", "1e-6", "first learning rate")
                .flag("end", "LR", "10", "last learning rate")
                .flag("steps", "N", "300", "minibatches (the data repeats, reshuffled, if it has fewer)")
                .flag("out", "DIR", "out", "folder for lr-find.png")
                .note("The suggestion is the centre, on the log axis, of the window of max(3, n/10) steps over which the smoothed loss\n"
                        + "(moving average, β = 0.98) falls fastest before its minimum; the test stops when the loss exceeds 4× its minimum.");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        double start = f.getDouble("start", 0, Double.MAX_VALUE, "(]");
        double end = f.getDouble("end", 0, Double.MAX_VALUE, "(]");
        if (!(end > start)) throw new Main.UsageException("--end must be larger than --start, got " + start + " and " + end);
        int steps = f.getInt("steps", 10, 1_000_000);
        TrainConfig m = Common.config(f, Common.modelConfig(f, TrainConfig.defaults()), TRAINING_FLAGS);
        TrainConfig config = m.toBuilder().lr((float) start).epochs(1).build();
        Common.applyThreads(f, err);
        UserPaths.outputFolder("--out", Path.of(f.get("out")));
        Training run;
        try {
            run = Training.start(config, Common.openData(config.data(), f));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        out.printf(Locale.ROOT, "lr-find: %s on %s, %s, batch %d, lr from %.3g to %.3g over %d steps%n", run.spec().modelString(),
                config.data(), run.optimizer(), config.batch(), start, end, steps);
        LrFinder.Result r = LrFinder.run(lr -> {
            run.optimizer().setLearningRate((float) lr);
            return run.stepNextBatch();
        }, start, end, steps);
        out.printf(Locale.ROOT, "%d steps; stopped because %s%n", r.lrs().length, r.stopReason());
        if (Double.isNaN(r.suggested())) {
            out.println("suggested learning rate: none (the loss never fell; try a larger --end or more --steps)");
        } else {
            out.printf(Locale.ROOT, "suggested learning rate: %.3g (steepest sustained descent of the smoothed loss)%n", r.suggested());
        }
        Path png = Path.of(f.get("out")).resolve("lr-find.png");
        Common.drawOrSayWhy(out, "plot", png, () -> Plots.lrFinder(png, r.lrs(), r.losses(), r.suggested()));
        return 0;
    }
}
