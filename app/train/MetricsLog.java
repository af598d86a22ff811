package app.train;

import backprop.EpochMetrics;
import backprop.TrainingListener;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tensor.io.FileFormatException;
import tensor.io.Json;

/**
 * {@code --metrics FILE}: one JSON object per epoch ({@link EpochMetrics}, the schema of every training
 * command), one per line (JSON Lines), flushed as it is written so a crashed run keeps its history:
 * {@code {"epoch":1,"steps":23,"train_loss":0.52,"val_loss":0.48,"val_accuracy":0.83,"learning_rate":0.1,"seconds":2.1,
 * "examples_per_second":28571.4}}. A value that does not exist (no validation set) is written as null.
 * As a {@link TrainingListener} it writes each epoch as the run ends it.
 */
public final class MetricsLog implements Closeable, TrainingListener {
    private final Writer out;

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
    @Override
    public void onEpoch(EpochMetrics e) {
        write(e);
    }

    public void write(EpochMetrics e) {
        try {
            out.write(Json.write(e.toJson()));
            out.write('\n');
            out.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the metrics: " + ex.getMessage(), ex);
        }
    }

    /** Reads a metrics file back (for plotting a finished run). */
    public static List<EpochMetrics> read(Path file) throws IOException {
        List<EpochMetrics> epochs = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) continue;
            try {
                if (!(Json.parse(line) instanceof Map<?, ?> m)) throw new FileFormatException(file, -1, "line " + lineNo + ": not a JSON object");
                epochs.add(EpochMetrics.fromJson(m));
            } catch (Json.ParseException e) {
                throw new FileFormatException(file, -1, "line " + lineNo + ": " + e.getMessage());
            }
        }
        return epochs;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
