package app.cli;

import app.sentiment.SentimentModel;
import app.tensorboard.TrainingBoard;
import app.train.LrDecay;
import app.train.MetricsLog;
import backprop.EpochLoop;
import backprop.EpochMetrics;
import backprop.Loss;
import backprop.TrainingListener;
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
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * {@code nabla sentiment train|predict|words|generate}: the notes' sentiment classifier on
 * bag-of-words input, trained with the sparse, index-based first layer.
 */
final class SentimentCommand implements Main.Command {
    static final String SUBCOMMANDS = "train, predict, words, generate";

    static Flags trainFlags() {
        return new Flags("./nabla sentiment train (--reviews FILE --labels FILE | --tsv FILE) [flags]",
                "Trains the notes' sentiment classifier on bag-of-words reviews with the sparse, index-based first layer:",
                "one review per line and one positive/negative label per line, or label<TAB>text per line.")
                .flag("reviews", "FILE", null, "one review per line (with --labels)")
                .flag("labels", "FILE", null, "one label per line, positive/negative (with --reviews)")
                .flag("tsv", "FILE", null, "label<TAB>text per line, instead of --reviews and --labels")
                .flag("test-fraction", "F", "0.1", "reviews held out (seeded shuffle) to validate after each epoch; 0 for none")
                .flag("min-count", "N", "1", "drop words seen fewer times in the training reviews")
                .flag("polarity-cutoff", "X", "0", "drop words with |ln((pos+1)/(neg+1)) - class balance| below X")
                .toggle("counts", "word counts as input values (default: binary presence, 1 if the word occurs)")
                .flag("hidden", "N", "10", "hidden units")
                .flag("activation", "NAME", "none", "hidden activation: " + SentimentModel.ACTIVATIONS)
                .flag("output", "NAME", "sigmoid", "output: sigmoid (one logit, BCE) or softmax (two, cross-entropy)")
                .flag("epochs", "N", "2", "epochs to train")
                .flag("batch", "N", "1", "minibatch size (1: the notes' per-review loop)")
                .flag("lr", "RATE", "0.1", "learning rate, > 0")
                .flag("lr-decay", "SPEC", null, "learning-rate schedule after each epoch, as train's: step:EVERY:GAMMA, exp:GAMMA or "
                        + "plateau:PATIENCE:FACTOR (on the training loss here)")
                .flag("momentum", "MU", "0", "heavy-ball momentum in [0, 1)")
                .flag("l2", "LAMBDA", "0", "L2 penalty (λ/2)·Σw² on the weights")
                .flag("seed", "N", "1", "seed of the weights, the held-out split and the order")
                .flag("checkpoint", "PATH", "sentiment.safetensors", "written after every epoch (atomic); an existing one needs --overwrite")
                .toggle("overwrite", "replace an existing checkpoint that this run did not write")
                .flag("metrics", "FILE", null, "one JSON object per epoch, the schema of train --metrics (epoch, steps, train_loss, "
                        + "val_loss, val_accuracy, learning_rate, seconds, examples_per_second) plus train_accuracy")
                .flag("tensorboard", "DIR", null, "write a TensorBoard event file in DIR: the running loss, the --metrics figures, "
                        + "histograms of the dense parameters")
                .flag("threads", "N", null, "threads for the kernels (default, and most: the processors this JVM may use); results do not depend on it")
                .toggle("quiet", "print nothing but errors");
    }

    static Flags predictFlags() {
        return new Flags("./nabla sentiment predict --checkpoint FILE [\"text\" ...]",
                "Prints P(positive) and the class of each text (no text: one review per line on stdin).")
                .flag("checkpoint", "FILE", null, "a checkpoint of sentiment train")
                .positionals("TEXT");
    }

    static Flags wordsFlags() {
        return new Flags("./nabla sentiment words --checkpoint FILE [--top 20]",
                "Lists the words that pull a review most towards positive and towards negative.")
                .flag("checkpoint", "FILE", null, "a checkpoint of sentiment train")
                .flag("top", "N", "20", "words listed on each side");
    }

    static Flags generateFlags() {
        return new Flags("./nabla sentiment generate --out DIR [flags]",
                "Writes a synthetic review corpus (seeded) to try sentiment train on.")
                .flag("out", "DIR", null, "where to write reviews.txt and labels.txt (or reviews.tsv)")
                .flag("reviews", "N", "2000", "reviews to write")
                .flag("seed", "N", "1", "seed of the draws")
                .flag("filler", "N", "5000", "neutral filler words in the vocabulary")
                .flag("noise", "P", "0.15", "share of polar words drawn from the other class")
                .toggle("tsv", "write label<TAB>text lines to reviews.tsv instead");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("usage: ./nabla sentiment " + SUBCOMMANDS.replace(", ", "|") + " [flags]   (--help after one for its flags)");
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "train": return train(rest, out, err);
            case "predict": return predict(rest, out);
            case "words": return words(rest, out);
            case "generate": return generate(rest, out);
            default: throw new Main.UsageException("unknown sub-command '" + args[0] + "'; known: " + SUBCOMMANDS);
        }
    }

    // ---------------------------------------------------------------- train

    private static String threads(int n) {
        return n == 1 ? "1 thread" : n + " threads";
    }

    private static int train(String[] args, PrintStream out, PrintStream err) throws IOException {
        Flags f = trainFlags();
        if (!f.parse(args, out)) return 0;
        double testFraction = f.getDouble("test-fraction", 0, 0.9, "[]");
        int epochs = f.getInt("epochs", 1, 100_000);
        int batch = f.getInt("batch", 1, 1 << 20);
        float lr = (float) f.getDouble("lr", 0, Float.MAX_VALUE, "(]");
        float momentum = (float) f.getDouble("momentum", 0, 1, "[)");
        float l2 = (float) f.getDouble("l2", 0, Float.MAX_VALUE, "[]");
        LearningRateSchedule decay;
        try {
            decay = LrDecay.parse(f.get("lr-decay"));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--lr-decay: " + e.getMessage());
        }
        long seed = f.getLong("seed");
        Vocabulary.Options options = new Vocabulary.Options(f.getInt("min-count", 1, Integer.MAX_VALUE),
                f.getDouble("polarity-cutoff", 0, Float.MAX_VALUE, "[]"));
        SentimentModel.Config config;
        try {
            config = new SentimentModel.Config(f.getInt("hidden", 1, 1 << 16), f.get("activation"),
                    SentimentModel.Output.byName(f.get("output")), !f.given("counts"));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        Path checkpoint = UserPaths.outputFile("--checkpoint", Path.of(f.get("checkpoint")));
        if (f.given("metrics")) UserPaths.outputFile("--metrics", Path.of(f.get("metrics")));
        if (f.given("tensorboard")) UserPaths.outputFolder("--tensorboard", Path.of(f.get("tensorboard")));
        if (Files.exists(checkpoint) && !f.given("overwrite")) {
            throw new IllegalStateException(checkpoint + " exists and this run did not write it: give --overwrite to replace it, "
                    + "or another --checkpoint");
        }
        boolean quiet = f.given("quiet");
        Common.applyThreads(f, err);

        ReviewCorpus corpus;
        String source;
        if (f.given("tsv")) {
            if (f.given("reviews") || f.given("labels")) throw new Main.UsageException("give either --tsv or --reviews with --labels, not both");
            corpus = ReviewCorpus.readTsv(UserPaths.input("--tsv", f.get("tsv")));
            source = f.get("tsv");
        } else if (f.given("reviews") || f.given("labels")) {
            if (!f.given("reviews") || !f.given("labels")) throw new Main.UsageException("--reviews and --labels go together");
            corpus = ReviewCorpus.readPair(UserPaths.input("--reviews", f.get("reviews")), UserPaths.input("--labels", f.get("labels")));
            source = f.get("reviews") + " + " + f.get("labels");
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
        if (decay != null) trainer.schedule(decay);
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
        Loss validationLoss = model.newLoss();
        if (test.size() > 0) {
            trainer.validation(() -> new EpochLoop.Measured(model.meanLoss(testX, test.labels(), validationLoss),
                    model.accuracy(testX, test.labels()), Map.of("train_accuracy", model.accuracy(trainX, train.labels()))));
        } else {
            trainer.validation(() -> EpochLoop.Measured.none(Map.of("train_accuracy", model.accuracy(trainX, train.labels()))));
        }
        trainer.addListener(new TrainingListener() {
            @Override
            public void onEpoch(EpochMetrics e) {
                say(out, quiet, String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  train acc %.4f  test loss %s  test acc %s  lr %.4g  "
                                + "%.0f reviews/s  %.2f s", e.epoch(), epochs, e.trainLoss(), e.extra().get("train_accuracy"),
                        f4(e.valLoss()), f4(e.valAccuracy()), e.learningRate(), e.examplesPerSecond(), e.seconds()));
                provenance.put("epochs", Integer.toString(e.epoch()));
                try {
                    model.save(checkpoint, provenance);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        });
        try (MetricsLog metrics = f.given("metrics") ? MetricsLog.open(Path.of(f.get("metrics"))) : null;
             TrainingBoard board = f.given("tensorboard") ? TrainingBoard.open(Path.of(f.get("tensorboard")), model.network().denseParameters()) : null) {
            if (metrics != null) trainer.addListener(metrics);
            if (board != null) {
                say(out, quiet, "tensorboard: " + board.file() + " (tensorboard --logdir " + f.get("tensorboard") + ")");
                trainer.addListener(board);
            }
            for (int e = 1; e <= epochs; e++) trainer.epoch(trainX, targets, batch, shuffle);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        say(out, quiet, "saved " + checkpoint + " (" + vocabulary.size() + " words, hidden " + config.hidden() + ")");
        return 0;
    }

    // ---------------------------------------------------------------- predict, words

    private static int predict(String[] args, PrintStream out) throws IOException {
        Flags f = predictFlags();
        if (!f.parse(args, out)) return 0;
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
        Flags f = wordsFlags();
        if (!f.parse(args, out)) return 0;
        int top = f.getInt("top", 1, 1_000_000);
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
        Flags f = generateFlags();
        if (!f.parse(args, out)) return 0;
        Path dir = UserPaths.outputFolder("--out", Path.of(f.required("out")));
        int n = f.getInt("reviews", 1, 10_000_000);
        SyntheticReviews gen = new SyntheticReviews(f.getInt("filler", 1, 300_000), f.getDouble("noise", 0, 1, "[]"));
        ReviewCorpus c = gen.generate(n, f.getLong("seed"));
        Files.createDirectories(dir);
        if (f.given("tsv")) {
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

    /** A figure with 4 decimals, "-" where it does not apply. */
    private static String f4(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static void say(PrintStream out, boolean quiet, String line) {
        if (!quiet) out.println(line);
    }
}
