package app.cli;

import app.metrics.Metrics;
import app.plot.ImageGrid;
import app.train.Evaluator;
import app.train.SavedModel;
import data.Dataset;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code nabla top-losses}: the examples a saved model gets most wrong, as a table and a grid of images. */
final class TopLossesCommand implements Main.Command {
    static Flags flags() {
        return Common.savedModelFlags(new Flags("./nabla top-losses [flags]",
                "Lists the N examples with the highest loss under a saved model (the place to look for mislabeled data)",
                "and draws them as a grid of images captioned with true label, prediction and its probability.")
                .flag("split", "NAME", "test", "which examples: test|validation|train")
                .flag("top", "N", "16", "how many examples (the worst first)")
                .flag("columns", "N", "8", "images per row of the grid")
                .flag("out", "DIR", "out", "folder for top-losses.png"), "the model");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        String split = f.getChoice("split", "test", "validation", "train");
        int n = f.getInt("top", 1, 10_000);
        int columns = f.getInt("columns", 1, 100);
        Common.applyThreads(f, err);
        UserPaths.outputFolder("--out", Path.of(f.get("out")));
        SavedModel model = SavedModel.load(UserPaths.input("--checkpoint", f.get("checkpoint")));
        Dataset data = EvalCommand.pick(model, f, split);
        Evaluator.Evaluation e = model.evaluator(data).run(true);
        int[] worst = Metrics.topLosses(e.exampleLoss(), n);
        out.printf(Locale.ROOT, "the %d highest losses of %d examples (%s, loss %s):%n", worst.length, data.size(), data.name(), model.config().loss());
        out.printf(Locale.ROOT, "%5s %7s  %-16s %-16s %8s %8s %9s%n", "rank", "example", "true", "predicted", "p(pred)", "p(true)", "loss");
        List<String> captions = new ArrayList<>();
        for (int r = 0; r < worst.length; r++) {
            int i = worst[r];
            String truth = data.className(data.labels()[i]);
            String pred = data.className(e.predicted()[i]);
            out.printf(Locale.ROOT, "%5d %7d  %-16s %-16s %8.4f %8.4f %9.4f%n", r + 1, i, cut(truth), cut(pred),
                    e.predictedProbability()[i], e.trueProbability()[i], e.exampleLoss()[i]);
            captions.add(String.format(Locale.ROOT, "#%d / true: %s / pred: %s / p=%.2f", i, truth, pred, e.predictedProbability()[i]));
        }
        if (data.imageShape().isPresent()) {
            Path png = Path.of(f.get("out")).resolve("top-losses.png");
            Common.drawOrSayWhy(out, "grid", png, () -> ImageGrid.write(png, data, worst, captions, columns));
        } else {
            out.println("(no grid: " + data.name() + " has no image shape)");
        }
        return 0;
    }

    private static String cut(String s) {
        return s.length() > 16 ? s.substring(0, 15) + "…" : s;
    }
}
