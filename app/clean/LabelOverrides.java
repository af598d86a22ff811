package app.clean;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tensor.io.AtomicFile;

/**
 * A label-overrides file: the decisions a person made on {@code nabla clean}'s page, one CSV line
 * each, {@code dataset,example,old_label,new_label}, under that header. {@code dataset} names the data
 * and its split ({@code digits/train}, see {@link #datasetName}); {@code example} is the row index, or
 * for an image folder the file's path under the root ({@code cat/001.png}); {@code new_label} is a
 * class name or {@code delete}; a line whose new label is its old one says the label was looked at
 * and kept. The data itself is never written: {@code train --label-overrides} applies the file as it
 * loads ({@link OverriddenLabels}), {@code clean --apply} moves an image folder's files
 * ({@link FolderEdits}). Each example has one line: deciding it again replaces it. Every save
 * replaces the whole file atomically (a temp file, then a move), so a crash never leaves half a file.
 */
public final class LabelOverrides {
    public static final String HEADER = "dataset,example,old_label,new_label";
    /** The new label of an example to leave out. */
    public static final String DELETE = "delete";

    /** One decision; {@code line} is its line in the file as read (0 for one made since). */
    public record Decision(String dataset, String example, String oldLabel, String newLabel, int line) {
        public boolean deletes() { return newLabel.equals(DELETE); }
        public boolean keeps() { return newLabel.equals(oldLabel); }
        /** "keep", "delete" or the new class. */
        public String action() { return keeps() ? "keep" : newLabel; }
    }

    /** A file that does not hold label overrides, or one that does not fit the data: the message names the file and line. */
    public static final class BadFile extends IOException {
        private static final long serialVersionUID = 1L;

        public BadFile(Path file, int line, String problem) {
            super(file + (line > 0 ? " line " + line : "") + ": " + problem);
        }
    }

    private final Path file;
    private final Map<String, Decision> decisions = new LinkedHashMap<>();

    private LabelOverrides(Path file) {
        this.file = file;
    }

    /**
     * The name of {@code --data SPEC}'s split in the file's {@code dataset} column: {@code <name>/<split>},
     * where the name is a named dataset's own (digits, fashion-mnist, mnist, cifar10) or the file or
     * folder name of a path ({@code pets}, {@code iris.csv}), so a file stays valid when the data moves.
     */
    public static String datasetName(String spec, String split) {
        String lower = spec.toLowerCase(java.util.Locale.ROOT);
        String name = switch (lower) {
            case "digits", "fashion-mnist", "mnist", "cifar10" -> lower;
            case "cifar-10" -> "cifar10";
            default -> {
                Path p = Path.of(spec).toAbsolutePath().normalize().getFileName();
                yield p == null ? spec : p.toString();
            }
        };
        return name + "/" + split;
    }

    /** The decisions of {@code file}, or none when it does not exist yet (they will go there). */
    public static LabelOverrides readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? read(file) : new LabelOverrides(file);
    }

    /** Reads {@code file}; a line that is not four fields, a missing header or an example decided twice is refused. */
    public static LabelOverrides read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadFile(file, 0, "no such file");
        }
        return parse(file, bytes);
    }

    /** The decisions in {@code bytes}, the content of {@code file}. */
    static LabelOverrides parse(Path file, byte[] bytes) throws BadFile {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadFile(file, 0, "is not UTF-8 text");
        }
        LabelOverrides o = new LabelOverrides(file);
        String[] lines = text.split("\r?\n", -1);
        if (lines.length == 0 || !lines[0].strip().replace("\uFEFF", "").equals(HEADER)) {
            throw new BadFile(file, 1, "expected the header '" + HEADER + "', got '" + (lines.length == 0 ? "" : lines[0]) + "'");
        }
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            List<String> f = fields(lines[i], file, i + 1);
            if (f.size() != 4) throw new BadFile(file, i + 1, "expected 4 fields (" + HEADER + "), got " + f.size() + ": '" + lines[i] + "'");
            for (int c = 0; c < 4; c++) {
                if (f.get(c).isEmpty()) throw new BadFile(file, i + 1, "the field " + HEADER.split(",")[c] + " is empty");
            }
            Decision d = new Decision(f.get(0), f.get(1), f.get(2), f.get(3), i + 1);
            Decision before = o.decisions.put(key(d.dataset(), d.example()), d);
            if (before != null) {
                throw new BadFile(file, i + 1, d.dataset() + " example " + d.example() + " is decided twice (also line " + before.line() + ")");
            }
        }
        return o;
    }

    public Path file() { return file; }

    /** Every decision, in the file's order. */
    public synchronized List<Decision> decisions() { return List.copyOf(decisions.values()); }

    /** The decision on {@code example} of {@code dataset}, or null. */
    public synchronized Decision get(String dataset, String example) { return decisions.get(key(dataset, example)); }

    /** Records a decision (replacing the example's earlier one, in its place) and saves the file. */
    public synchronized void put(String dataset, String example, String oldLabel, String newLabel) throws IOException {
        for (String s : new String[] {dataset, example, oldLabel, newLabel}) {
            if (s.isEmpty() || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a label override's fields are one line of text, not '" + s + "'");
            }
        }
        Decision before = decisions.put(key(dataset, example), new Decision(dataset, example, oldLabel, newLabel, 0));
        try {
            save();
        } catch (IOException e) {
            if (before == null) decisions.remove(key(dataset, example)); else decisions.put(key(dataset, example), before);
            throw e;
        }
    }

    /** Forgets the decision on an example (the page's undo) and saves; false when there was none. */
    public synchronized boolean remove(String dataset, String example) throws IOException {
        Decision before = decisions.remove(key(dataset, example));
        if (before == null) return false;
        try {
            save();
        } catch (IOException e) {
            decisions.put(key(dataset, example), before);
            throw e;
        }
        return true;
    }

    private void save() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Decision d : decisions.values()) {
            sb.append(csv(d.dataset())).append(',').append(csv(d.example())).append(',').append(csv(d.oldLabel())).append(',')
                    .append(csv(d.newLabel())).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    private static String key(String dataset, String example) {
        return dataset + '\u0000' + example;
    }

    /** A field quoted when it holds a comma, a quote or surrounding spaces (RFC 4180). */
    static String csv(String s) {
        boolean quote = s.contains(",") || s.contains("\"") || !s.equals(s.strip());
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** The fields of one line: comma-separated, each plain or in double quotes with "" for a quote. */
    static List<String> fields(String line, Path file, int lineNumber) throws BadFile {
        List<String> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (true) {
            StringBuilder f = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) throw new BadFile(file, lineNumber, "a quoted field is not closed: '" + line + "'");
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        f.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') throw new BadFile(file, lineNumber, "text after a quoted field: '" + line + "'");
                out.add(f.toString());
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                String plain = line.substring(i, end);
                if (plain.contains("\"")) throw new BadFile(file, lineNumber, "a quote inside an unquoted field: '" + line + "'");
                out.add(plain.strip());
                i = end;
            }
            if (i >= n) return out;
            i++; // the comma
            if (i == n) {
                out.add("");
                return out;
            }
        }
    }
}
