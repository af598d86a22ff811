package app.tune;

import backprop.EpochMetrics;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tensor.io.Json;

/**
 * The results of a tune as JSON lines, which are also its state. Line 1 holds the settings
 * ({@code {"tune": {...}}}); then per trial a start line ({@code trial, flags, seed}), one line per
 * epoch ({@code trial} and the {@link EpochMetrics} fields) and an end line ({@code trial,
 * state, epochs, val_loss, val_accuracy[, reason]}). A trial paused at an ASHA rung has no line
 * of its own: its epochs up to the rung say where it stands. Opening an existing file with the
 * same settings keeps the trials that ended, and those that did not up to the last rung they
 * reached (they wait there for a promotion); the lines after it, or of a trial that reached no
 * rung, are dropped (that part runs again). Other settings are refused.
 */
public final class TuneLog implements AutoCloseable {
    private final Path file;
    private final Writer out;
    private final Map<Integer, Trial.Outcome> done = new TreeMap<>();
    private final Map<Integer, Trial.Outcome> paused = new TreeMap<>();

    private TuneLog(Path file, Writer out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens {@code file} for a tune with {@code settings}, continuing it when it holds the same settings;
     * {@code rungs}: the epochs where a trial pauses (none without ASHA).
     */
    public static TuneLog open(Path file, Map<String, Object> settings, List<Integer> rungs) throws IOException {
        String header = Json.write(Map.of("tune", settings));
        Map<Integer, Trial.Outcome> done = new TreeMap<>(), paused = new TreeMap<>();
        List<String> kept = new ArrayList<>();
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !sameSettings(lines.get(0), header)) {
                throw new IllegalArgumentException(file + " holds the results of another tune (line 1: "
                        + (lines.isEmpty() ? "empty" : abbreviate(lines.get(0))) + "); give another --out, or the same flags to continue it");
            }
            read(file, lines, rungs, done, paused, kept);
        }
        kept.add(0, header);
        // rewrite only what is kept, atomically: a trial cut short starts again from its last rung, or its first epoch
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, kept, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        TuneLog log = new TuneLog(file, w);
        log.done.putAll(done);
        log.paused.putAll(paused);
        return log;
    }

    private static boolean sameSettings(String line, String header) {
        try {
            return Json.parse(line).equals(Json.parse(header));
        } catch (Json.ParseException e) {
            return false;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /**
     * The trials with an end line into {@code done}, those without one that reached a rung into {@code paused}
     * (their epochs up to the last rung reached), and the lines of both (per trial, in file order) into {@code kept}.
     */
    private static void read(Path file, List<String> lines, List<Integer> rungs, Map<Integer, Trial.Outcome> done,
                             Map<Integer, Trial.Outcome> paused, List<String> kept) {
        Map<Integer, String> startLine = new TreeMap<>(), endLine = new TreeMap<>();
        Map<Integer, List<String>> epochLines = new TreeMap<>();
        Map<Integer, Trial> trials = new TreeMap<>();
        Map<Integer, List<EpochMetrics>> epochs = new TreeMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            Object parsed;
            try {
                parsed = Json.parse(line);
            } catch (Json.ParseException e) {
                parsed = null;
            }
            if (!(parsed instanceof Map<?, ?> m) || !(m.get("trial") instanceof Long)) {
                // the last line of a killed tune may be cut: that trial runs again
                if (i == lines.size() - 1) break;
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " is not a trial's JSON object: " + abbreviate(line));
            }
            int id = (int) (long) (Long) m.get("trial");
            if (m.get("flags") instanceof Map<?, ?> f) {
                Map<String, String> flags = new LinkedHashMap<>();
                f.forEach((k, v) -> flags.put(String.valueOf(k), String.valueOf(v)));
                trials.put(id, new Trial(id, flags, m.get("seed") instanceof Long s ? s : 0L));
                epochs.put(id, new ArrayList<>());
                startLine.put(id, line);
                epochLines.put(id, new ArrayList<>());
            } else if (m.get("state") instanceof String state && trials.containsKey(id)) {
                String reason = m.get("reason") instanceof String r ? r : null;
                done.put(id, new Trial.Outcome(trials.get(id), state, List.copyOf(epochs.get(id)), reason));
                endLine.put(id, line);
            } else if (m.get("epoch") instanceof Long && epochs.containsKey(id) && !done.containsKey(id)) {
                Map<Object, Object> record = new LinkedHashMap<>(m);
                record.remove("trial");
                epochs.get(id).add(EpochMetrics.fromJson(record));
                epochLines.get(id).add(line);
            }
        }
        for (int id : trials.keySet()) {
            int at = epochs.get(id).size();  // an ended trial keeps every epoch; one that did not, those to the last rung it reached
            if (!done.containsKey(id)) {
                at = 0;
                for (int r : rungs) if (r <= epochs.get(id).size()) at = r;
                if (at == 0) continue;
                paused.put(id, new Trial.Outcome(trials.get(id), Trial.PAUSED, List.copyOf(epochs.get(id).subList(0, at)), null));
            }
            kept.add(startLine.get(id));
            kept.addAll(epochLines.get(id).subList(0, at));
            if (endLine.containsKey(id)) kept.add(endLine.get(id));
        }
    }

    /** The trials that ended before this tune was continued, by number. */
    public Map<Integer, Trial.Outcome> ended() { return done; }

    /** The trials that had not ended, paused at the last rung they reached (state paused), by number. */
    public Map<Integer, Trial.Outcome> paused() { return paused; }

    public Path file() { return file; }

    public synchronized void started(Trial t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trial", (long) t.id());
        m.put("flags", t.flags());
        m.put("seed", t.seed());
        line(m);
    }

    public synchronized void epoch(Trial t, EpochMetrics e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trial", (long) t.id());
        m.putAll(e.toJson());
        line(m);
    }

    public synchronized void ended(Trial.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trial", (long) o.trial().id());
        m.put("state", o.state());
        m.put("epochs", (long) o.epochs().size());
        m.put("val_loss", o.valLoss());
        m.put("val_accuracy", o.valAccuracy());
        if (o.reason() != null) m.put("reason", o.reason());
        line(m);
    }

    private void line(Map<String, Object> m) {
        try {
            out.write(Json.write(m));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
