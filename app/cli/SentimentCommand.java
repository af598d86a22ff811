package app.cli;

import app.sentiment.SentimentModel;
import backprop.Loss;
import backprop.optim.LearningRateSchedule;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import backprop.sparse.SparseBatch;
import backprop.sparse.SparseTrainer;
import data.MemoryLimit;
import data.text.ReviewCorpus;
import data.text.Sentiment;
import data.text.SyntheticReviews;
import data.text.Vocabulary;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * {@code nabla sentiment train|predict|words|generate}: the notes' sentiment classifier on
 * bag-of-words input, trained with the sparse, index-based first layer.
 */
final class SentimentCommand implements Main.Command {
    private static final Set<String> TRAIN_FLAGS = Set.of("reviews", "labels", "tsv", "test-fraction", "hidden", "activation",
            "output", "min-count", "polarity-cutoff", "epochs", "batch", "lr", "lr-decay", "momentum", "l2", "seed", "checkpoint", "metrics", "threads");

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        boolean help = Arrays.asList(rest).contains("--help");
        switch (args[0]) {
            case "train": return help ? usage(out) : train(rest, out);
            case "predict": return help ? usage(out) : predict(rest, out);
            case "words": return help ? usage(out) : words(rest, out);
            case "generate": return help ? usage(out) : generate(rest, out);
            default: throw new Main.UsageException("unknown sub-command '" + args[0] + "'; known: train, predict, words, generate");
        }
    }

    private static int usage(PrintStream out) {
        out.println("usage: ./nabla sentiment train (--reviews FILE --labels FILE | --tsv FILE) [flags]");
        out.println("       ./nabla sentiment predict --checkpoint FILE [\"text\" ...]   (no text: one review per line on stdin)");
        out.println("       ./nabla sentiment words --checkpoint FILE [--top 20]");
        out.println("       ./nabla sentiment generate --out DIR [--reviews 2000] [--seed 1] [--tsv]");
        out.println();
        out.println("train: one review per line and one positive/negative label per line, or label<TAB>text per line.");
        out.println("  --test-fraction 0.1     reviews held out (seeded shuffle) for the test accuracy; 0 for none");
        out.println("  --min-count 1           drop words seen fewer times in the training reviews");
        out.println("  --polarity-cutoff 0     drop words with |ln(pos+1)/(neg+1) - class balance| below it");
        out.println("  --counts                word counts as input values (default: binary presence, 1 if the word occurs)");
        out.println("  --hidden 10  --activation " + SentimentModel.ACTIVATIONS.replace(", ", "|") + " (none)  --output sigmoid|softmax");
        out.println("  --epochs 2  --batch 1  --lr 0.1  --lr-decay GAMMA (per epoch)  --momentum 0  --l2 0  --seed 1");
        out.println("  --checkpoint sentiment.safetensors (written after every epoch; an existing one needs --overwrite)");
        out.println("  --metrics FILE (one JSON line per epoch)");
        out.println("  --threads N             threads for the kernels (default: the available processors); results do not depend on it");
        return 0;
    }

    // ---------------------------------------------------------------- train

    private static String threads(int n) {
        return n == 1 ? "1 thread" : n + " threads";
    }

    private static int train(String[] args, PrintStream out) throws IOException {
        SentimentFlags f = new SentimentFlags(args, TRAIN_FLAGS, Set.of("counts", "quiet", "overwrite"));
        if (!f.positional().isEmpty()) throw new Main.UsageException("unexpected argument '" + f.positional().get(0) + "'");
        double testFraction = f.getDouble("test-fraction", 0.1, 0, 0.9);
        int epochs = f.getInt("epochs", 2, 1, 100_000);
        int batch = f.getInt("batch", 1, 1, 1 << 20);
        float lr = (float) f.getDouble("lr", 0.1, 1e-12, 1e6);
        float momentum = (float) f.getDouble("momentum", 0, 0, 0.999);
        float l2 = (float) f.getDouble("l2", 0, 0, 1e6);
        double decay = f.getDouble("lr-decay", 1, 1e-6, 1);
        long seed = f.getLong("seed", 1);
        Vocabulary.Options options = new Vocabulary.Options(f.getInt("min-count", 1, 1, Integer.MAX_VALUE),
                f.getDouble("polarity-cutoff", 0, 0, 1e6));
        SentimentModel.Config config;
        try {
            config = new SentimentModel.Config(f.getInt("hidden", 10, 1, 1 << 16), f.get("activation", "none"),
                    SentimentModel.Output.byName(f.get("output", "sigmoid")), !f.has("counts"));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        Path checkpoint = UserPaths.outputFile("--checkpoint", Path.of(f.get("checkpoint", "sentiment.safetensors")));
        if (f.has("metrics")) UserPaths.outputFile("--metrics", Path.of(f.get("metrics", null)));
        if (Files.exists(checkpoint) && !f.has("overwrite")) {
            throw new IllegalStateException(checkpoint + " exists and this run did not write it: give --overwrite to replace it, "
                    + "or another --checkpoint");
        }
        boolean quiet = f.has("quiet");
        if (f.has("threads")) kernels.ThreadPool.setThreads(f.getInt("threads", 1, 1, 1024));

        ReviewCorpus corpus;
        String source;
        if (f.has("tsv")) {
            if (f.has("reviews") || f.has("labels")) throw new Main.UsageException("give either --tsv or --reviews with --labels, not both");
            corpus = ReviewCorpus.readTsv(UserPaths.input("--tsv", f.get("tsv", null)));
            source = f.get("tsv", null);
        } else if (f.has("reviews") || f.has("labels")) {
            if (!f.has("reviews") || !f.has("labels")) throw new Main.UsageException("--reviews and --labels go together");
            corpus = ReviewCorpus.readPair(UserPaths.input("--reviews", f.get("reviews", null)), UserPaths.input("--labels", f.get("labels", null)));
            source = f.get("reviews", null) + " + " + f.get("labels", null);
        } else {
            throw new Main.UsageException("give the training data: --reviews FILE --labels FILE, or --tsv FILE");
        }

        int[] counts = corpus.classCounts();
        if (counts[Sentiment.POSITIVE] == 0 || counts[Sentiment.NEGATIVE] == 0) {
            // as train refuses a one-class dataset: a model of one class learns nothing and scores 1.0
            throw new IllegalArgumentException(source + " holds " + corpus.size() + " reviews, all "
                    + (counts[Sentiment.POSITIVE] == 0 ? "negative" : "positive") + "; training needs both classes");
        }
        int heldOut = (int) Math.round(testFraction * corpus.size());
        if (heldOut >= corpus.size()) heldOut = corpus.size() - 1;
        ReviewCorpus[] parts = corpus.split(heldOut, seed);
        ReviewCorpus train = parts[0], test = parts[1];
        int[] cls = corpus.classCounts();
        say(out, quiet, String.format(Locale.ROOT, "corpus: %d reviews (%d positive, %d negative) from %s; %d held out for testing (seed %d)",
                corpus.size(), cls[Sentiment.POSITIVE], cls[Sentiment.NEGATIVE], source, test.size(), seed));
        Vocabulary vocabulary = Vocabulary.build(train.texts(), train.labels(), options);
        say(out, quiet, "vocabulary: " + vocabulary.stats() + " (min count " + options.minCount()
                + ", polarity cutoff " + options.polarityCutoff() + ")");

        // the first layer is one float[vocabulary × hidden] (and as much again for momentum): bounded before it is allocated
        // (SparseDense refuses more than one Java array holds)
        long firstLayer = (long) vocabulary.size() * config.hidden();
        MemoryLimit.require(String.format(Locale.ROOT, "a sentiment model of %,d words × hidden %d (%,d weights%s)", vocabulary.size(),
                config.hidden(), firstLayer, momentum > 0 ? " and their momentum" : ""), 4L * firstLayer * (momentum > 0 ? 2 : 1));
        SentimentModel model = SentimentModel.create(vocabulary, config, seed);
        SparseBatch trainX = model.encode(train.texts()), testX = model.encode(test.texts());
        Loss loss = model.newLoss();
        Sgd sgd = new Sgd(model.network().denseParameters(), lr).momentum(momentum).regularization(l2 > 0 ? Regularization.l2(l2) : Regularization.NONE);
        SparseTrainer trainer = new SparseTrainer(model.network(), loss, sgd, config.binary());
        if (decay < 1) trainer.schedule(LearningRateSchedule.exponential((float) decay));
        say(out, quiet, "network: " + model.network() + ", " + config.output().name().toLowerCase(Locale.ROOT) + " output, loss "
                + loss.name() + ", " + sgd + ", batch " + batch + ", " + (config.binary() ? "binary" : "count") + " input, "
                + String.format(Locale.ROOT, "%.1f", (double) trainX.nonZeros() / Math.max(1, trainX.rows())) + " distinct known words per review, "
                + threads(kernels.ThreadPool.get().threads()));

        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("trained_on", source);
        provenance.put("min_count", Integer.toString(options.minCount()));
        provenance.put("polarity_cutoff", Double.toString(options.polarityCutoff()));
        provenance.put("seed", Long.toString(seed));
        Tensor targets = model.targets(train.labels());
        SplittableRandom shuffle = new SplittableRandom(seed + 1);
        try (BufferedWriter metrics = f.has("metrics") ? Files.newBufferedWriter(Path.of(f.get("metrics", null)), StandardCharsets.UTF_8) : null) {
            for (int e = 1; e <= epochs; e++) {
                float rate = sgd.learningRate();
                long t0 = System.nanoTime();
                double meanLoss = trainer.epoch(trainX, targets, batch, shuffle);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double trainAcc = model.accuracy(trainX, train.labels());
                double testAcc = model.accuracy(testX, test.labels());
                double perSecond = train.size() / Math.max(seconds, 1e-9);
                say(out, quiet, String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  train acc %.4f  test acc %s  lr %.4g  %.0f reviews/s  %.2f s",
                        e, epochs, meanLoss, trainAcc, test.size() == 0 ? "-" : String.format(Locale.ROOT, "%.4f", testAcc),
                        rate, perSecond, seconds));
                if (metrics != null) {
                    metrics.write(String.format(Locale.ROOT, "{\"epoch\":%d,\"loss\":%.6f,\"train_accuracy\":%.6f,\"test_accuracy\":%s,"
                                    + "\"learning_rate\":%s,\"seconds\":%.4f,\"reviews_per_second\":%.1f,\"steps\":%d}",
                            e, meanLoss, trainAcc, test.size() == 0 ? "null" : String.format(Locale.ROOT, "%.6f", testAcc),
                            Float.toString(rate), seconds, perSecond, trainer.steps()));
                    metrics.newLine();
                    metrics.flush();
                }
                provenance.put("epochs", Integer.toString(e));
                model.save(checkpoint, provenance);
            }
        }
        say(out, quiet, "saved " + checkpoint + " (" + vocabulary.size() + " words, hidden " + config.hidden() + ")");
        return 0;
    }

    // ---------------------------------------------------------------- predict, words

    private static int predict(String[] args, PrintStream out) throws IOException {
        SentimentFlags f = new SentimentFlags(args, Set.of("checkpoint"), Set.of());
        SentimentModel model = SentimentModel.load(UserPaths.input("--checkpoint", f.required("checkpoint")));
        List<String> texts = f.positional();
        if (texts.isEmpty()) {
            texts = new ArrayList<>();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) texts.add(line);
        }
        for (String text : texts) {
            float p = model.positiveProbability(text);
            out.printf(Locale.ROOT, "%.4f %s%n", p, Sentiment.NAMES[p >= 0.5f ? Sentiment.POSITIVE : Sentiment.NEGATIVE]);
        }
        return 0;
    }

    private static int words(String[] args, PrintStream out) throws IOException {
        SentimentFlags f = new SentimentFlags(args, Set.of("checkpoint", "top"), Set.of());
        if (!f.positional().isEmpty()) throw new Main.UsageException("unexpected argument '" + f.positional().get(0) + "'");
        int top = f.getInt("top", 20, 1, 1_000_000);
        SentimentModel model = SentimentModel.load(UserPaths.input("--checkpoint", f.required("checkpoint")));
        List<SentimentModel.WordScore> scores = model.wordScores();
        int n = Math.min(top, scores.size());
        out.println("score = positive margin of a review holding only the word, minus that of an empty review");
        out.printf(Locale.ROOT, "%-24s %9s   %-24s %9s%n", "positive", "score", "negative", "score");
        for (int i = 0; i < n; i++) {
            SentimentModel.WordScore p = scores.get(i), q = scores.get(scores.size() - 1 - i);
            out.printf(Locale.ROOT, "%-24s %+9.4f   %-24s %+9.4f%n", p.word(), p.score(), q.word(), q.score());
        }
        return 0;
    }

    // ---------------------------------------------------------------- generate

    private static int generate(String[] args, PrintStream out) throws IOException {
        SentimentFlags f = new SentimentFlags(args, Set.of("out", "reviews", "seed", "filler", "noise"), Set.of("tsv"));
        Path dir = UserPaths.outputFolder("--out", Path.of(f.required("out")));
        int n = f.getInt("reviews", 2000, 1, 10_000_000);
        SyntheticReviews gen = new SyntheticReviews(f.getInt("filler", 5000, 1, 300_000), f.getDouble("noise", 0.15, 0, 1));
        ReviewCorpus c = gen.generate(n, f.getLong("seed", 1));
        Files.createDirectories(dir);
        if (f.has("tsv")) {
            List<String> lines = new ArrayList<>(n);
            for (int i = 0; i < n; i++) lines.add(Sentiment.NAMES[c.labels()[i]] + "\t" + c.texts().get(i));
            Files.write(dir.resolve("reviews.tsv"), lines, StandardCharsets.UTF_8);
            out.println("wrote " + n + " reviews to " + dir.resolve("reviews.tsv"));
        } else {
            List<String> labels = new ArrayList<>(n);
            for (int y : c.labels()) labels.add(Sentiment.NAMES[y]);
            Files.write(dir.resolve("reviews.txt"), c.texts(), StandardCharsets.UTF_8);
            Files.write(dir.resolve("labels.txt"), labels, StandardCharsets.UTF_8);
            out.println("wrote " + n + " reviews to " + dir.resolve("reviews.txt") + " and " + dir.resolve("labels.txt"));
        }
        return 0;
    }

    private static void say(PrintStream out, boolean quiet, String line) {
        if (!quiet) out.println(line);
    }
}
