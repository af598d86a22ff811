package app.cli;

import app.train.ModelSpec;
import app.train.TrainConfig;
import app.train.Training;
import data.Csv;
import data.Dataset;
import data.Datasets;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/** What several commands share: the data and model flags, the thread count, the data split. */
final class Common {
    private Common() {}

    static final String DATA_HELP = "dataset: digits (embedded), fashion-mnist, mnist, cifar10, a .csv file or a folder";

    /** The flags that describe a model and its data, with the defaults of {@code nabla train}. */
    static Flags modelFlags(Flags f) {
        TrainConfig d = TrainConfig.defaults();
        f.flag("data", "SPEC", d.data(), DATA_HELP)
                .flag("model", "SIZES", null, "layer sizes from input to output, e.g. 784-256-128-10 (default <inputs>-"
                        + Training.DEFAULT_HIDDEN + "-<classes> of the data)")
                .flag("activation", "NAME", d.activation(), "hidden activation: " + String.join("|", ModelSpec.ACTIVATIONS))
                .flag("loss", "NAME", d.loss(), "loss: " + String.join("|", ModelSpec.LOSSES)
                        + " (ce: softmax + cross-entropy on logits; nll: LogSoftmax output; mse, sse, l1: Softmax output vs one-hot;"
                        + " bce: per-class sigmoid + binary cross-entropy; hinge: multiclass hinge on scores)")
                .flag("init", "NAME", d.init(), "weight init: normal (σ = 1/√fan_in)|xavier (Glorot uniform)|he (Kaiming normal); biases start at 0")
                .flag("dropout", "P", "0", "dropout rate after each hidden activation, in [0, 1)")
                .toggle("batchnorm", "batch normalization after each hidden Linear layer (before the activation)")
                .flag("seed", "N", Long.toString(d.seed()), "seed of the initial weights, the shuffling and the dropout masks")
                .flag("normalize", "HOW", d.normalize(), "input normalization fitted on the training set: global (one mean and std)|feature|none")
                .flag("threads", "N", null, "threads for the kernels (default: the available processors); results do not depend on it");
        return csvFlags(f);
    }

    /** How to read a .csv --data: its label column, header line and delimiter. */
    static Flags csvFlags(Flags f) {
        return f.flag("label-column", "NAME|INDEX", "-1", "for a .csv --data: the label column, by header name or index (0 first, -1 last)")
                .flag("header", "yes|no|auto", "auto", "for a .csv --data: whether line 1 names the columns (auto: when a feature field of "
                        + "line 1 is not a number, or the label column is named)")
                .flag("delimiter", "CHAR", ",", "for a .csv --data: the field separator, one character or 'tab'");
    }

    /** A config from the model flags over {@code base}: flags given on the command line win. */
    static TrainConfig modelConfig(Flags f, TrainConfig base) {
        String model = f.given("model") ? f.get("model") : base.model();
        if (model != null) {
            try {
                ModelSpec.parseSizes(model);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException("--model: " + e.getMessage());
            }
        }
        return new TrainConfig(
                f.given("data") ? f.get("data") : base.data(),
                model,
                f.given("activation") ? f.getChoice("activation", ModelSpec.ACTIVATIONS.toArray(String[]::new)) : base.activation(),
                f.given("loss") ? f.getChoice("loss", ModelSpec.LOSSES.toArray(String[]::new)) : base.loss(),
                f.given("init") ? f.getChoice("init", "normal", "xavier", "he") : base.init(),
                base.lr(), base.momentum(), base.l1(), base.l2(),
                f.given("dropout") ? (float) f.getDouble("dropout", 0, 1, "[)") : base.dropout(),
                f.given("batchnorm") || base.batchNorm(),
                base.batch(), base.epochs(), base.lrDecay(), base.earlyStopping(), base.freeze(),
                f.given("seed") ? f.getLong("seed") : base.seed(),
                base.valSplit(),
                f.given("normalize") ? f.getChoice("normalize", "global", "feature", "none") : base.normalize());
    }

    static void applyThreads(Flags f) {
        if (f.given("threads")) kernels.ThreadPool.setThreads(f.getInt("threads", 1, 1024));
    }

    /**
     * Opens {@code --data} with the CSV flags of {@code f} (refused for data that is not a .csv file);
     * a dataset that is not here is a failure whose message says how to get it.
     */
    static Dataset.Split openData(String spec, Flags f) throws IOException {
        boolean csv = spec.toLowerCase(Locale.ROOT).matches(".*\\.csv(\\.gz)?");
        for (String flag : new String[] {"label-column", "header", "delimiter"}) {
            if (f.given(flag) && !csv) throw new Main.UsageException("--" + flag + " applies to a .csv --data, not to '" + spec + "'");
        }
        if (!csv) return Datasets.open(spec);
        UserPaths.input("--data", spec);  // missing, a folder, a pipe: said before reading
        Csv.Options o = Csv.Options.defaults().withLabelColumn(f.get("label-column").strip());
        o = o.withHeader(switch (f.getChoice("header", "yes", "no", "auto")) {
            case "yes" -> Boolean.TRUE;
            case "no" -> Boolean.FALSE;
            default -> null;
        });
        String d = f.get("delimiter");
        char delimiter = d.equals("tab") || d.equals("\\t") ? '\t' : d.length() == 1 ? d.charAt(0) : 0;
        if (delimiter == 0 || delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new Main.UsageException("--delimiter must be one character (not a quote or a line break) or 'tab', got '" + d + "'");
        }
        return Datasets.open(spec, Datasets.Options.defaults().withCsv(o.withDelimiter(delimiter)));
    }

    /**
     * {@code data} with the decisions of {@code --label-overrides FILE} applied when the flag is given
     * (one line says what changed); a file that does not fit the data is refused with its line.
     */
    static Dataset.Split withLabelOverrides(Flags f, String spec, Dataset.Split data, PrintStream out) throws IOException {
        if (!f.given("label-overrides")) return data;
        java.nio.file.Path file = UserPaths.input("--label-overrides", f.get("label-overrides"));
        app.clean.OverriddenLabels.Result r = app.clean.OverriddenLabels.apply(app.clean.LabelOverrides.read(file), data, spec);
        out.println("label overrides: " + file + ": " + r.summary());
        return r.data();
    }

    /** Writes a picture file. */
    interface Drawing {
        void draw() throws IOException;
    }

    /**
     * Draws a picture and prints "what: png", or, where Java2D cannot draw text (a headless machine whose JDK
     * lacks the font libraries it links: libfreetype, libharfbuzz, fontconfig), prints why it was not drawn
     * and goes on: a plot is a by-product of a run whose results are already saved.
     */
    static void drawOrSayWhy(PrintStream out, String what, java.nio.file.Path png, Drawing drawing) throws IOException {
        try {
            drawing.draw();
            out.println(what + ": " + png);
        } catch (LinkageError | java.awt.AWTError | InternalError e) {
            if (!raisedByJava2d(e)) throw e;  // a fault of nabla's own drawing code, or of the JVM, is not this
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            out.println(what + ": not drawn (Java2D cannot draw here: " + root + ")");
        }
    }

    /** True when a frame of e or of a cause is in Java2D, AWT or the font code (sun.font, sun.java2d, sun.awt, java.awt). */
    static boolean raisedByJava2d(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (StackTraceElement f : t.getStackTrace()) {
                String c = f.getClassName();
                if (c.startsWith("sun.font.") || c.startsWith("sun.java2d.") || c.startsWith("sun.awt.") || c.startsWith("java.awt.")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code 0.1234}. */
    static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
