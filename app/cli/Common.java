package app.cli;

import app.train.TrainConfig;
import app.train.TrainOptions;
import data.Csv;
import data.Dataset;
import data.Datasets;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What several commands share: the data and model flags, the thread count, the data split. */
final class Common {
    private Common() {}

    static final String DATA_HELP = "dataset: digits (embedded), fashion-mnist, mnist, cifar10, a .csv file or a folder";

    /** The flags that describe a model and its data ({@link TrainOptions} of the MODEL group), with the defaults of {@code nabla train}. */
    static Flags modelFlags(Flags f) {
        declare(f, TrainOptions.Group.MODEL);
        f.flag("threads", "N", null, "threads for the kernels (default, and most: the processors this JVM may use); results do not depend on it");
        return csvFlags(f);
    }

    /** Declares the options of {@code group}, each from its row of {@link TrainOptions}. */
    static Flags declare(Flags f, TrainOptions.Group group) {
        return declare(f, TrainOptions.of(group));
    }

    /** Declares the named options (e.g. momentum, batch), each from its row of {@link TrainOptions}. */
    static Flags declare(Flags f, String... flags) {
        return declare(f, TrainOptions.named(flags));
    }

    private static Flags declare(Flags f, List<TrainOptions.Option> options) {
        for (TrainOptions.Option o : options) {
            if (o.kind() == TrainOptions.Kind.SWITCH) f.toggle(o.flag(), o.help());
            else f.flag(o.flag(), o.valueName(), o.defaultText(), o.help());
        }
        return f;
    }

    /** A config from the options of {@code groups} given on the command line over {@code base}: flags given win. */
    static TrainConfig config(Flags f, TrainConfig base, TrainOptions.Group... groups) {
        List<TrainOptions.Option> options = new ArrayList<>();
        for (TrainOptions.Group g : groups) options.addAll(TrainOptions.of(g));
        return config(f, base, options);
    }

    /** A config from the named options given on the command line over {@code base}. */
    static TrainConfig config(Flags f, TrainConfig base, String... flags) {
        return config(f, base, TrainOptions.named(flags));
    }

    private static TrainConfig config(Flags f, TrainConfig base, List<TrainOptions.Option> options) {
        TrainConfig.Builder b = base.toBuilder();
        for (TrainOptions.Option o : options) {
            if (f.given(o.flag())) o.set().accept(b, value(f, o));
        }
        return b.build();
    }

    /** The value of a given option, parsed, bounded and checked as its row says; a bad one is a usage error naming the flag. */
    private static Object value(Flags f, TrainOptions.Option o) {
        String name = o.flag();
        return switch (o.kind()) {
            case SWITCH -> true;
            case INT -> f.getInt(name, (int) o.min(), (int) o.max());
            case LONG -> f.getLong(name);
            case FLOAT -> {
                double d = f.getDouble(name, o.min(), o.max(), o.ends());
                float v = (float) d;
                // a value inside the bounds can round onto one as a float32 (momentum 0.99999999 is 1.0f)
                if (v != d && (v == o.min() && o.ends().charAt(0) == '(' || v == o.max() && o.ends().charAt(1) == ')')) {
                    throw new Main.UsageException("--" + name + " must be " + Flags.range(o.min(), o.max(), o.ends()) + ", got " + f.get(name)
                            + ", which is " + v + " as a float32");
                }
                yield v;
            }
            case DOUBLE -> f.getDouble(name, o.min(), o.max(), o.ends());
            case CHOICE -> f.getChoice(name, o.choices().toArray(String[]::new));
            case TEXT -> {
                try {
                    yield o.check().apply(f.get(name));
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageException("--" + name + ": " + e.getMessage());
                }
            }
        };
    }

    /** A config from the model flags over {@code base}: flags given on the command line win. */
    static TrainConfig modelConfig(Flags f, TrainConfig base) {
        return config(f, base, TrainOptions.Group.MODEL);
    }

    /**
     * The flags of every command that reads a trained model: {@code --checkpoint} (what it is for in {@code what}),
     * {@code --data} (the checkpoint's by default), {@code --threads}, and how to read a .csv --data.
     */
    static Flags savedModelFlags(Flags f, String what) {
        f.flag("checkpoint", "PATH", "out/model.safetensors", what + " (written by ./nabla train)")
                .flag("data", "SPEC", "the checkpoint's", DATA_HELP)
                .flag("threads", "N", null, "threads for the kernels (default, and most: the processors this JVM may use); results do not depend on it");
        return csvFlags(f);
    }

    /** How to read a .csv --data: its label column, header line and delimiter. */
    static Flags csvFlags(Flags f) {
        return f.flag("label-column", "NAME|INDEX", "-1", "for a .csv --data: the label column, by header name or index (0 first, -1 last)")
                .flag("header", "yes|no|auto", "auto", "for a .csv --data: whether line 1 names the columns (auto: when a feature field of "
                        + "line 1 is not a number, or the label column is named)")
                .flag("delimiter", "CHAR", ",", "for a .csv --data: the field separator, one character or 'tab'");
    }

    /** Sizes the kernels' pool from {@code --threads}, when given, through {@link #capThreads}. */
    static void applyThreads(Flags f, PrintStream err) {
        if (f.given("threads")) kernels.ThreadPool.setThreads(capThreads(f.getInt("threads", 1, 1024), err));
    }

    /**
     * {@code asked} threads, but at most the processors this JVM may use: threads beyond them only take cores from
     * each other (on 2 cores, config B's epoch at 8 threads took 1.2x the time at 2, and 2.7x while the pool's threads
     * spun), and the results are the same for any count. Says so on {@code err} when it gives fewer than asked.
     */
    static int capThreads(int asked, PrintStream err) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (asked <= cpus) return asked;
        err.println("--threads " + asked + ": this JVM can use " + cpus + " processor" + (cpus == 1 ? "" : "s") + ", so "
                + cpus + " thread" + (cpus == 1 ? "" : "s") + " (more would only wait on each other; the results are the same)");
        return cpus;
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
     * {@code data} with the decisions of the label-overrides file applied, when there is one (one line says what
     * changed); a file that does not fit the data is refused with its line.
     */
    static Dataset.Split withLabelOverrides(String overrides, String spec, Dataset.Split data, PrintStream out) throws IOException {
        if (overrides == null) return data;
        java.nio.file.Path file = UserPaths.input("--label-overrides", overrides);
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
