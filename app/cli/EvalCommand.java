package app.cli;

import app.train.Evaluator;
import app.train.SavedModel;
import app.train.Training;
import data.Dataset;
import java.io.PrintStream;
import java.util.Locale;

/** {@code nabla eval}: a checkpoint's loss, accuracy and confusion matrix on a dataset. */
final class EvalCommand implements Main.Command {
    static Flags flags() {
        Flags f = new Flags("./nabla eval [flags]",
                "Evaluates a saved model: mean loss, accuracy and the confusion matrix on the test set (or --split).")
                .flag("split", "NAME", "test", "which examples: test|validation|train (validation and train as the run split them)");
        return Common.savedModelFlags(f, "the model to evaluate");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        String split = f.getChoice("split", "test", "validation", "train");
        Common.applyThreads(f, err);
        SavedModel model = SavedModel.load(UserPaths.input("--checkpoint", f.get("checkpoint")));
        Dataset data = pick(model, f, split);
        Evaluator.Evaluation e = model.evaluator(data).run(false);
        out.printf(Locale.ROOT, "model: %s (%s), epoch %d of %s%n", model.spec().modelString(), model.config().loss(),
                model.checkpoint().epoch(), f.get("checkpoint"));
        out.printf(Locale.ROOT, "data: %s, %d examples%n", data.name(), data.size());
        out.println("loss: " + Common.f4(e.loss()));
        out.println("accuracy: " + Common.f4(e.accuracy()));
        out.println(e.confusion().render(data.classNames()));
        return 0;
    }

    /** The examples of {@code split} of --data (default: the checkpoint's data), split as the training run did. */
    static Dataset pick(SavedModel model, Flags f, String split) throws java.io.IOException {
        String spec = f.given("data") ? f.get("data") : model.config().data();
        Training.Splits s = Training.Splits.of(model.config(), Common.openData(spec, f));
        return switch (split) {
            case "train" -> s.train();
            case "validation" -> s.validation();
            default -> s.test();
        };
    }
}
