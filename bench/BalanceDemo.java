package bench;

import app.train.Evaluator;
import app.train.TrainConfig;
import app.train.Training;
import data.Dataset;
import data.Datasets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The unbalanced-data figure: Fashion-MNIST with one class cut to 5% of its training
 * examples; that class's test recall and the overall test accuracy with --balance none,
 * oversample and weights. Run: java -cp ... bench.BalanceDemo [class] [epochs]
 */
public final class BalanceDemo {
    public static void main(String[] args) throws Exception {
        int rare = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Dataset.Split fm = Datasets.open("fashion-mnist");
        Dataset train = cut(fm.train(), rare, 0.05);
        System.out.printf(Locale.ROOT, "training set: %d examples, class %d (%s) cut to %d of %d%n", train.size(), rare, fm.train().className(rare),
                train.classCounts()[rare], fm.train().classCounts()[rare]);
        for (String balance : new String[] {"none", "oversample", "weights"}) {
            TrainConfig c = TrainConfig.builder().data("fashion-mnist, class " + rare + " at 5%").model("784-256-128-10").batch(128)
                    .epochs(epochs).balance(balance).build();
            long t0 = System.nanoTime();
            Training run = Training.start(c, new Dataset.Split(train, fm.test()));
            while (!run.finished()) run.trainEpoch();
            Evaluator.Evaluation test = run.evaluator(fm.test()).run(false);
            System.out.printf(Locale.ROOT, "--balance %-10s: class %d recall %.4f, precision %.4f; test accuracy %.4f (%d epochs, %.0f s)%n",
                    balance, rare, test.confusion().recall(rare), test.confusion().precision(rare), test.accuracy(), epochs,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** {@code d} with class {@code c} cut to its first {@code share} of examples. */
    static Dataset cut(Dataset d, int c, double share) {
        int keep = (int) Math.round(share * d.classCounts()[c]);
        List<Integer> rows = new ArrayList<>();
        int seen = 0;
        for (int i = 0; i < d.size(); i++) {
            if (d.labels()[i] == c && seen++ >= keep) continue;
            rows.add(i);
        }
        return d.subset(d.name(), rows.stream().mapToInt(Integer::intValue).toArray());
    }
}
