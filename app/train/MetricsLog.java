package app.train;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tensor.io.FileFormatException;
import tensor.io.Json;

/**
 * {@code --metrics FILE}: one JSON object per epoch, one per line (JSON Lines), flushed as it is
 * written so a crashed run keeps its history:
 * {@code {"epoch":1,"train_loss":0.52,"val_loss":0.48,"val_accuracy":0.83,"seconds":2.1,"examples_per_second":28571.4}}.
 * A value that does not exist (no validation set) is written as null.
 */
public final class MetricsLog implements Closeable {
    private final Writer out;

    /** One epoch's figures; NaN where a figure does not apply. */
    public record Epoch(int epoch, double trainLoss, double valLoss, double valAccuracy, double seconds, double examplesPerSecond) {
        /** The JSON object, keys in the documented order. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", epoch);
            m.put("train_loss", trainLoss);
            m.put("val_loss", valLoss);
            m.put("val_accuracy", valAccuracy);
            m.put("seconds", seconds);
            m.put("examples_per_second", examplesPerSecond);
            return m;
        }

        /** The line printed after each epoch. */
        public String summary() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d: train loss %.4f", epoch, trainLoss));
            if (!Double.isNaN(valLoss)) sb.append(String.format(Locale.ROOT, ", val loss %.4f", valLoss));
            if (!Double.isNaN(valAccuracy)) sb.append(String.format(Locale.ROOT, ", val accuracy %.4f", valAccuracy));
            sb.append(String.format(Locale.ROOT, ", %.2f s (%.0f ex/s)", seconds, examplesPerSecond));
            return sb.toString();
        }
    }

    public MetricsLog(Writer out) {
        this.out = out;
    }

    /** Creates (or truncates) {@code file}. */
    public static MetricsLog open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    /** Appends one line and flushes it. */
    public void write(Epoch e) {
        try {
            out.write(Json.write(e.toJson()));
            out.write('\n');
            out.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the metrics: " + ex.getMessage(), ex);
        }
    }

    /** Reads a metrics file back (for plotting a finished run). */
    public static List<Epoch> read(Path file) throws IOException {
        List<Epoch> epochs = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) continue;
            try {
                if (!(Json.parse(line) instanceof Map<?, ?> m)) throw new FileFormatException(file, -1, "line " + lineNo + ": not a JSON object");
                epochs.add(new Epoch((int) number(m, "epoch"), number(m, "train_loss"), number(m, "val_loss"), number(m, "val_accuracy"),
                        number(m, "seconds"), number(m, "examples_per_second")));
            } catch (Json.ParseException e) {
                throw new FileFormatException(file, -1, "line " + lineNo + ": " + e.getMessage());
            }
        }
        return epochs;
    }

    private static double number(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
