package data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import tensor.Tensor;
import tensor.io.FileFormatException;

/**
 * A CSV table of numeric features and one label column, as a Dataset.
 *
 * <p>The label column is chosen by index ({@code "0"} first, {@code "-1"} last) or by name (needs
 * a header). A label column of numbers holds class indexes (numClasses = max + 1): each must be
 * an integer in [0, 65535], else the line is named; a column with any non-numeric label holds text
 * categories, the distinct strings, sorted. Every other field must be a
 * finite number. Fields may be double-quoted ({@code ""} escapes a quote). Blank lines are skipped.
 * A {@code .gz} file is read through gzip.
 */
public final class Csv {
    /** What splitting a line costs a field: a String (~48 B with its array) and its slot in the list. */
    static final long BYTES_PER_FIELD = 64;

    /** A label above this is not a class index but a mistake (it would make a huge one-hot). */
    static final int MAX_CLASS_INDEX = 65535;

    private Csv() {}

    /**
     * @param header true: the first line names the columns; false: no header; null: a header when
     *               the first line has a non-numeric feature field
     * @param labelColumn an index ("0", "-1" for the last) or a column name
     * @param scale every feature is multiplied by this (1 for none; 1/16 for the digits' 0..16 pixels)
     */
    public record Options(Boolean header, String labelColumn, char delimiter, float scale, ImageShape imageShape, long maxBytes) {
        public static Options defaults() {
            return new Options(null, "-1", ',', 1f, null, Dataset.maxBytes());
        }
        public Options withHeader(Boolean h) { return new Options(h, labelColumn, delimiter, scale, imageShape, maxBytes); }
        public Options withLabelColumn(String c) { return new Options(header, c, delimiter, scale, imageShape, maxBytes); }
        public Options withDelimiter(char d) { return new Options(header, labelColumn, d, scale, imageShape, maxBytes); }
        public Options withScale(float s) { return new Options(header, labelColumn, delimiter, s, imageShape, maxBytes); }
        public Options withImageShape(ImageShape s) { return new Options(header, labelColumn, delimiter, scale, s, maxBytes); }
        public Options withMaxBytes(long m) { return new Options(header, labelColumn, delimiter, scale, imageShape, m); }
    }

    /** Reads {@code file} (gzip when it ends in .gz). */
    public static Dataset load(Path file, Options options) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            InputStream s = file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
            return read(s, file, file.getFileName().toString().replaceFirst("\\.csv(\\.gz)?$", ""), options);
        }
    }

    /** Reads CSV text from {@code in}; {@code source} names it in errors. */
    public static Dataset read(InputStream in, Path source, String name, Options options) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        long maxFloats = options.maxBytes / 4;
        float[] x = new float[1024];
        long count = 0;
        List<String> rawLabels = new ArrayList<>();
        List<Integer> labelLines = new ArrayList<>();
        List<String> columns = null;
        int fields = -1;
        int labelAt = -1;
        int lineNo = 0;
        String line;
        List<String> parts = new ArrayList<>();
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1); // a UTF-8 byte order mark
            if (line.isBlank()) continue;
            // splitting costs ~64 bytes a field (its String and list slot): a line too wide for the memory limit is refused first
            long fieldsAtMost = count(line, options.delimiter) + 1;
            MemoryLimit.require("line " + lineNo + " of " + source + " (" + String.format(Locale.ROOT, "%,d", fieldsAtMost) + " fields)",
                    BYTES_PER_FIELD * fieldsAtMost);
            split(line, options.delimiter, parts, source, lineNo);
            if (fields < 0) {
                fields = parts.size();
                if (fields < 2) {
                    throw new FileFormatException(source, -1, "line " + lineNo + ": a CSV table needs a label and at least one feature, found "
                            + fields + " field(s) separated by '" + printable(options.delimiter) + "' (is the delimiter right?)");
                }
                boolean header = options.header != null ? options.header : looksLikeHeader(parts, options.labelColumn);
                if (header) columns = List.copyOf(parts);
                labelAt = labelIndex(options.labelColumn, columns, fields, source);
                if (header) continue;
            }
            if (parts.size() != fields) {
                throw new FileFormatException(source, -1, "line " + lineNo + ": expected " + fields + " fields (as "
                        + (columns != null ? "the header" : "line 1") + " has) but got " + parts.size());
            }
            if ((count + 1) * (fields - 1) > maxFloats) {
                throw new FileFormatException(source, -1, "line " + lineNo + ": the table needs more than the bound of "
                        + Idx.mib(options.maxBytes) + " as float32 (raise it with -Dnabla.data.maxBytes)");
            }
            int need = (int) ((count + 1) * (fields - 1));
            if (need > x.length) x = Arrays.copyOf(x, (int) Math.min(maxFloats, Math.max(need, 2L * x.length)));
            int at = (int) (count * (fields - 1));
            for (int f = 0; f < fields; f++) {
                String v = parts.get(f);
                if (f == labelAt) {
                    if (v.isEmpty()) throw new FileFormatException(source, -1, "line " + lineNo + ": empty label");
                    rawLabels.add(v);
                    labelLines.add(lineNo);
                    continue;
                }
                x[at++] = number(v, lineNo, f, columns, options.scale, source);
            }
            count++;
        }
        if (count == 0) throw new FileFormatException(source, -1, "no data rows");
        int n = (int) count;
        int d = fields - 1;
        Tensor features = Tensor.of(x.length == n * d ? x : Arrays.copyOf(x, n * d), n, d);
        int[] labels = new int[n];
        List<String> classNames = classes(rawLabels, labelLines, labels, source);
        return new Dataset(name, features, labels, classNames.size(), options.imageShape, classNames);
    }

    /**
     * Maps label strings to class indexes: a column of numbers as class indexes (each an integer in
     * [0, 65535], else its line is named), else the sorted distinct strings as text categories.
     */
    private static List<String> classes(List<String> raw, List<Integer> lines, int[] labels, Path source) throws FileFormatException {
        boolean numeric = raw.stream().allMatch(Csv::isNumber);
        List<String> names = new ArrayList<>();
        if (numeric) {
            int max = 0;
            for (int i = 0; i < raw.size(); i++) {
                labels[i] = classIndex(raw.get(i), lines.get(i), source);
                max = Math.max(max, labels[i]);
            }
            for (int c = 0; c <= max; c++) names.add(Integer.toString(c));
            return names;
        }
        names.addAll(new TreeSet<>(raw));
        if (names.size() > MAX_CLASS_INDEX + 1) {
            throw new FileFormatException(source, -1, names.size() + " distinct labels: the label column is not categorical");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < names.size(); c++) index.put(names.get(c), c);
        for (int i = 0; i < raw.size(); i++) labels[i] = index.get(raw.get(i));
        return names;
    }

    /** A label of a numeric column as a class index, or an error naming its line and what is wrong with it. */
    private static int classIndex(String s, int line, Path source) throws FileFormatException {
        double v = Double.parseDouble(s);
        String problem = !Double.isFinite(v) ? "is not a finite number"
                : v < 0 ? "is negative"
                : v != Math.rint(v) ? "is not a whole number"
                : v > MAX_CLASS_INDEX ? "is above " + MAX_CLASS_INDEX
                : null;
        if (problem != null) {
            throw new FileFormatException(source, -1, "line " + line + ": label '" + s + "' " + problem + "; a numeric label column holds "
                    + "class indexes 0.." + MAX_CLASS_INDEX + " (text labels are categories only when the column is text)");
        }
        return (int) v;
    }

    private static String printable(char c) {
        return c == '\t' ? "\\t" : String.valueOf(c);
    }

    /** A header when the label is named, or when a non-empty feature field of the first line is not a number. */
    private static boolean looksLikeHeader(List<String> first, String labelColumn) {
        if (!labelColumn.matches("-?\\d+")) return true;
        int label = Integer.parseInt(labelColumn);
        int at = label < 0 ? first.size() + label : label;
        for (int f = 0; f < first.size(); f++) {
            if (f != at && !first.get(f).isEmpty() && !isNumber(first.get(f))) return true;
        }
        return false;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int labelIndex(String spec, List<String> columns, int fields, Path source) throws FileFormatException {
        if (spec.matches("-?\\d+")) {
            int i = Integer.parseInt(spec);
            int at = i < 0 ? fields + i : i;
            if (at < 0 || at >= fields) {
                throw new FileFormatException(source, -1, "label column " + spec + " is outside the " + fields + " columns");
            }
            return at;
        }
        if (columns == null) {
            throw new FileFormatException(source, -1, "label column '" + spec + "' is a name but the file has no header line");
        }
        int at = columns.indexOf(spec);
        if (at < 0) throw new FileFormatException(source, -1, "no column named '" + spec + "'; the header has " + columns);
        return at;
    }

    private static float number(String v, int lineNo, int field, List<String> columns, float scale, Path source) throws FileFormatException {
        if (v.isEmpty()) throw new FileFormatException(source, -1, where(lineNo, field, columns) + ": empty field");
        float f;
        try {
            f = Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new FileFormatException(source, -1, where(lineNo, field, columns) + ": '" + v + "' is not a number"
                    + (lineNo == 1 && columns == null ? " (if line 1 is a header, say so)" : ""));
        }
        if (!Float.isFinite(f)) throw new FileFormatException(source, -1, where(lineNo, field, columns) + ": '" + v + "' is not a finite number");
        return f * scale;
    }

    /** "line L, column C ('name')": built only for an error, not for every field read. */
    private static String where(int lineNo, int field, List<String> columns) {
        return "line " + lineNo + ", column " + (field + 1) + (columns != null ? " ('" + columns.get(field) + "')" : "");
    }

    private static long count(String line, char c) {
        long n = 0;
        for (int i = 0; i < line.length(); i++) if (line.charAt(i) == c) n++;
        return n;
    }

    /** Splits one line into trimmed fields; "quoted, fields" keep their delimiters and "" is a quote. */
    static void split(String line, char delimiter, List<String> out, Path source, int lineNo) throws FileFormatException {
        out.clear();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.toString().isBlank()) {
                quoted = true;
                wasQuoted = true;
                field.setLength(0);
            } else if (c == delimiter) {
                out.add(wasQuoted ? field.toString() : field.toString().trim());
                field.setLength(0);
                wasQuoted = false;
            } else {
                field.append(c);
            }
        }
        if (quoted) throw new FileFormatException(source, -1, "line " + lineNo + ": unterminated quoted field");
        out.add(wasQuoted ? field.toString() : field.toString().trim());
    }
}
