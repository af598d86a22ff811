package app.cli;

import app.train.Evaluator;
import app.train.ModelSpec;
import app.train.SavedModel;
import app.train.TrainConfig;
import app.train.Training;
import backprop.GradientCheck;
import backprop.Loss;
import backprop.Network;
import backprop.Trace;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import data.Dataset;
import data.Normalization;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code nabla gradcheck} and {@code nabla trace}: the engine's finite-difference gradient check
 * and the named intermediates of one step, for a model of the command line (fresh weights from
 * the seed) or a checkpoint, on the first few training examples.
 */
final class GradCheckCommand implements Main.Command {
    /** The largest relative error that passes: GradientCheckTest's bound (float32 analytic vs double numeric). */
    static final double TOLERANCE = 1e-3;

    private final boolean trace;

    GradCheckCommand(boolean trace) {
        this.trace = trace;
    }

    static Flags flags(boolean trace) {
        Flags f = trace
                ? new Flags("./nabla trace [flags]",
                        "One training step on a few examples, printed with the derivation's names: hidden_input, hidden_output, error,",
                        "error terms, delta weights, and the weights after the update.")
                : new Flags("./nabla gradcheck [flags]",
                        "Checks every gradient of the model (backward) against central finite differences in double precision",
                        "on a few examples; exits 1 if the largest relative error is above " + TOLERANCE + ".");
        Common.modelFlags(f);
        f.flag("checkpoint", "PATH", null, "use a saved model (its weights and flags) instead of fresh weights")
                .flag("examples", "N", trace ? "2" : "4", "how many training examples (from the start of the training set)")
                .flag("l1", "LAMBDA", "0", "L1 penalty included in the loss")
                .flag("l2", "LAMBDA", "0", "L2 penalty included in the loss");
        if (trace) {
            f.flag("lr", "RATE", "0.1", "learning rate of the printed update")
                    .flag("rows", "N", "6", "rows of each tensor to print")
                    .flag("cols", "N", "8", "columns of each tensor to print");
        } else {
            f.flag("entries", "N", "1000", "at most this many entries checked per tensor (spread evenly)");
        }
        return f;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags(trace);
        if (!f.parse(args, out)) return 0;
        int examples = f.getInt("examples", 1, 10_000);
        float l1 = (float) f.getDouble("l1", 0, Float.MAX_VALUE, "[]");
        float l2 = (float) f.getDouble("l2", 0, Float.MAX_VALUE, "[]");
        Common.applyThreads(f, err);
        ModelSpec spec;
        Network net;
        Loss loss;
        Normalization norm;
        Dataset train;
        if (f.given("checkpoint")) {
            SavedModel m = SavedModel.load(UserPaths.input("--checkpoint", f.get("checkpoint")));
            spec = m.spec();
            net = m.network();
            loss = m.loss();
            norm = m.normalization();
            String data = f.given("data") ? f.get("data") : m.config().data();
            train = Training.Splits.of(m.config(), Common.openData(data, f)).train();
        } else {
            TrainConfig config = Common.modelConfig(f, TrainConfig.defaults());
            Training run;
            try {
                run = Training.start(config, Common.openData(config.data(), f));
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(e.getMessage());
            }
            spec = run.spec();
            net = run.network();
            loss = run.loss();
            norm = run.normalization();
            train = run.trainSet();
        }
        if (examples > train.size()) throw new Main.UsageException("--examples " + examples + " is more than the " + train.size() + " training examples");
        if (spec.batchNorm() && examples < 2) throw new Main.UsageException("--batchnorm needs --examples >= 2 (a batch variance)");
        Evaluator.Batch b = Evaluator.firstExamples(spec, train, norm, examples);
        Regularization reg = Regularization.of(l1, l2);
        if (trace) {
            Sgd sgd = new Sgd(net, (float) f.getDouble("lr", 0, Float.MAX_VALUE, "(]")).regularization(reg);
            out.print(new Trace(net, loss).optimizer(sgd).limit(f.getInt("rows", 1, 1000), f.getInt("cols", 1, 1000)).step(b.x(), b.target()));
            return 0;
        }
        GradientCheck.Report report = new GradientCheck(net, loss).regularization(reg)
                .maxEntriesPerTensor(f.getInt("entries", 1, Integer.MAX_VALUE)).run(b.x(), b.target());
        out.println(report);
        double worst = report.maxRelativeError();
        if (!(worst <= TOLERANCE)) {
            err.printf(Locale.ROOT, "nabla gradcheck: FAILED: max relative error %.3e is above %.0e%n", worst, TOLERANCE);
            return 1;
        }
        out.printf(Locale.ROOT, "gradient check passed: max relative error %.3e <= %.0e%n", worst, TOLERANCE);
        return 0;
    }
}
