package bench;

import app.train.Evaluator;
import app.train.TrainConfig;
import app.train.Training;
import data.Dataset;
import data.Datasets;
import data.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The transfer-learning figure: pretrain 784-256-128-10 on Fashion-MNIST classes 0-4, then
 * train a new 128-5 head for classes 5-9 from 100 examples per class with the body frozen, against
 * the same network trained from scratch on those 500 examples; test accuracy on every test example
 * of classes 5-9. Run: java -cp ... bench.TransferDemo [pretrain epochs] [fine-tune epochs]
 */
public final class TransferDemo {
    public static void main(String[] args) throws Exception {
        int pretrainEpochs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int headEpochs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Dataset.Split fm = Datasets.open("fashion-mnist");
        Dataset.Split first = new Dataset.Split(classes(fm.train(), 0, Integer.MAX_VALUE, 10, 0), classes(fm.test(), 0, Integer.MAX_VALUE, 10, 0));
        Dataset.Split second = new Dataset.Split(classes(fm.train(), 5, 100, 5, 7), classes(fm.test(), 5, Integer.MAX_VALUE, 5, 0));
        TrainConfig b = TrainConfig.builder().data("fashion-mnist classes 0-4").model("784-256-128-10").batch(128)
                .epochs(pretrainEpochs).build();
        long t0 = System.nanoTime();
        Training base = Training.start(b, first);
        while (!base.finished()) System.out.println("pretrain " + base.trainEpoch().summary());
        Path file = Files.createTempDirectory("transfer").resolve("base.safetensors");
        base.checkpoint().write(file);
        System.out.printf(Locale.ROOT, "pretrained on %d examples of classes 0-4 in %.0f s: test accuracy (classes 0-4) %.4f%n",
                first.train().size(), (System.nanoTime() - t0) / 1e9, base.evaluator(first.test()).run(false).accuracy());
        String[][] variants = {{file.toString(), "1,2", "--from base, --freeze 1,2, new head"}, {file.toString(), null,
                "--from base, every layer trains, new head"}, {null, null, "from scratch"}};
        for (String[] v : variants) {
            String from = v[0];
            TrainConfig c = TrainConfig.builder().data("fashion-mnist classes 5-9, 100 each").model("784-256-128-5").epochs(headEpochs)
                    .freeze(v[1]).from(from).build();
            Training run = Training.start(c, second);
            while (!run.finished()) run.trainEpoch();
            Evaluator.Evaluation test = run.evaluator(second.test()).run(false);
            System.out.printf(Locale.ROOT, "%-42s: %d epochs on %d examples: test accuracy (classes 5-9, %d examples) %.4f%n",
                    v[2], headEpochs,
                    second.train().size(), second.test().size(), test.accuracy());
        }
    }

    /** The examples of classes [first, first+5), at most {@code perClass} of each (a seeded draw when fewer), relabelled from 0 when asked. */
    static Dataset classes(Dataset d, int first, int perClass, int numClasses, long seed) {
        List<Integer> rows = new ArrayList<>();
        Rng rng = new Rng(Rng.mix(seed, 11, first));
        for (int c = first; c < first + 5; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < d.size(); i++) if (d.labels()[i] == c) members.add(i);
            // Fisher-Yates, then the first perClass
            for (int i = members.size() - 1; i > 0; i--) java.util.Collections.swap(members, i, rng.nextInt(i + 1));
            rows.addAll(members.subList(0, Math.min(perClass, members.size())));
        }
        java.util.Collections.sort(rows);
        Dataset s = d.subset(d.name(), rows.stream().mapToInt(Integer::intValue).toArray());
        int shift = numClasses == 5 ? first : 0;
        int[] y = s.labels().clone();
        for (int i = 0; i < y.length; i++) y[i] -= shift;
        return new Dataset(d.name() + " classes " + first + "-" + (first + 4), s.features(), y, numClasses, s.imageShape().orElse(null),
                numClasses == 5 ? d.classNames().subList(first, first + 5) : d.classNames());
    }
}
