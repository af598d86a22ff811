package backprop.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tensor.Tensor;

/**
 * {@link TensorStore} in the safetensors format (Hugging Face's, read by PyTorch): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype":"F32","shape":[..],"data_offsets":[begin,end]}} plus a {@code "__metadata__"}
 * map of strings, then the little-endian tensor bytes. F32 only.
 *
 * <p>This is a self-contained implementation of the format for the sentiment checkpoints. The
 * project's general reader and writer, {@code tensor.io.SafeTensors}, writes and reads the same
 * files with the same arguments ({@code write(file, tensors, metadata)}, {@code read(file)} →
 * tensors and metadata): once it is on this branch, the two methods of this class delegate to it.
 *
 * <p>Reading checks everything against the file's real length before it allocates a claimed
 * size: the header length, each tensor's byte range (inside the data, not overlapping another,
 * exactly 4·Π shape bytes), and the JSON itself. Errors name the file, the tensor and the offset.
 */
public final class SafeTensorsStore implements TensorStore {
    /** A header longer than this is refused (as the reference library does). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";
    private static final int CHUNK_FLOATS = 1 << 16;

    @Override
    public void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(quote(METADATA)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                json.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                sep = ",";
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
            Tensor t = e.getValue();
            long bytes = 4L * t.size();
            if (json.length() > 1) json.append(',');
            json.append(quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":[");
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) json.append(i > 0 ? "," : "").append(shape[i]);
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - header.length % 8) % 8; // the data starts 8-byte aligned, as the reference library writes it
        header = Arrays.copyOf(header, header.length + pad);
        Arrays.fill(header, header.length - pad, header.length, (byte) ' ');

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.allocate(Math.max(8 + header.length, 4 * CHUNK_FLOATS)).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(header.length).put(header).flip();
                writeFully(ch, buf);
                for (Tensor t : tensors.values()) {
                    Tensor c = t.contiguous() ? t : t.copy();
                    for (int i = 0; i < c.size(); i += CHUNK_FLOATS) {
                        int len = Math.min(CHUNK_FLOATS, c.size() - i);
                        buf.clear();
                        buf.asFloatBuffer().put(c.data(), c.offset() + i, len);
                        buf.limit(4 * len);
                        writeFully(ch, buf);
                    }
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such checkpoint file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "is " + size + " bytes, too short for the 8-byte header length of a safetensors file");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long n = lenBuf.flip().getLong();
            if (n < 2 || n > size - 8 || n > MAX_HEADER_BYTES) {
                throw bad(file, "header length " + n + " at byte 0 does not fit: the file has " + size
                        + " bytes (a header is 2.." + Math.min(size - 8, MAX_HEADER_BYTES) + " bytes)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headerBuf, 8, file);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(headerBuf.flip()).toString();
            } catch (CharacterCodingException e) {
                throw bad(file, "header (bytes 8.." + (8 + n) + ") is not valid UTF-8");
            }
            Object root;
            try {
                root = new JsonReader(json).document();
            } catch (IllegalArgumentException e) {
                throw bad(file, "header JSON: " + e.getMessage());
            }
            if (!(root instanceof Map<?, ?> entries)) throw bad(file, "header JSON is not an object");
            long dataStart = 8 + n, dataBytes = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Object[]> specs = new ArrayList<>(); // {name, shape, begin, end}
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals(METADATA)) {
                    if (!(e.getValue() instanceof Map<?, ?> m)) throw bad(file, METADATA + " is not an object");
                    for (Map.Entry<?, ?> me : m.entrySet()) {
                        if (!(me.getValue() instanceof String s)) throw bad(file, METADATA + " entry '" + me.getKey() + "' is not a string");
                        metadata.put((String) me.getKey(), s);
                    }
                    continue;
                }
                specs.add(spec(file, name, e.getValue(), dataBytes));
            }
            specs.sort((a, b) -> Long.compare((long) a[2], (long) b[2]));
            for (int i = 1; i < specs.size(); i++) {
                if ((long) specs.get(i)[2] < (long) specs.get(i - 1)[3]) {
                    throw bad(file, "tensors '" + specs.get(i - 1)[0] + "' and '" + specs.get(i)[0] + "' overlap at data byte " + specs.get(i)[2]);
                }
            }
            Map<String, Tensor> byHeaderOrder = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : entries.entrySet()) if (!e.getKey().equals(METADATA)) byHeaderOrder.put((String) e.getKey(), null);
            ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (Object[] s : specs) {
                int[] shape = (int[]) s[1];
                Tensor t = Tensor.zeros(shape);
                float[] d = t.data();
                long pos = dataStart + (long) s[2];
                for (int i = 0; i < d.length; i += CHUNK_FLOATS) {
                    int len = Math.min(CHUNK_FLOATS, d.length - i);
                    buf.clear().limit(4 * len);
                    readFully(ch, buf, pos + 4L * i, file);
                    buf.flip().asFloatBuffer().get(d, i, len);
                }
                byHeaderOrder.put((String) s[0], t);
            }
            return new Contents(byHeaderOrder, metadata);
        }
    }

    /** {name, int[] shape, begin, end} of one header entry, validated against the data section. */
    private static Object[] spec(Path file, String name, Object value, long dataBytes) throws IOException {
        if (!(value instanceof Map<?, ?> info)) throw bad(file, "tensor '" + name + "': entry is not an object");
        if (!"F32".equals(info.get("dtype"))) throw bad(file, "tensor '" + name + "': dtype " + info.get("dtype") + " (only F32 is read)");
        if (!(info.get("shape") instanceof List<?> dims) || dims.size() > 4) {
            throw bad(file, "tensor '" + name + "': shape " + info.get("shape") + " is not a list of at most 4 sizes");
        }
        int[] shape = new int[dims.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 1 || d > Integer.MAX_VALUE) {
                throw bad(file, "tensor '" + name + "': shape " + dims + " has a bad size " + dims.get(i));
            }
            shape[i] = (int) (long) d;
            elements *= d;
            if (elements > Integer.MAX_VALUE - 8) throw bad(file, "tensor '" + name + "': shape " + dims + " is larger than a Java array");
        }
        if (shape.length == 0) throw bad(file, "tensor '" + name + "': scalars are not read (shape [])");
        if (!(info.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)) {
            throw bad(file, "tensor '" + name + "': data_offsets " + info.get("data_offsets") + " is not [begin, end]");
        }
        if (begin < 0 || end < begin || end > dataBytes) {
            throw bad(file, "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] lie outside the " + dataBytes + " data bytes");
        }
        if (end - begin != 4 * elements) {
            throw bad(file, "tensor '" + name + "': shape " + dims + " needs " + 4 * elements + " bytes but data_offsets span " + (end - begin));
        }
        return new Object[] {name, shape, begin, end};
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw bad(file, "ends at byte " + pos + " before the data it declares");
            pos += r;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static IOException bad(Path file, String what) {
        return new IOException(file + ": " + what);
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** The JSON a header holds: objects (ordered maps), arrays (lists), strings, integers (Long), other numbers (Double), true/false/null. */
    static final class JsonReader {
        private static final int MAX_DEPTH = 32;
        private final String s;
        private int pos;

        JsonReader(String s) {
            this.s = s;
        }

        Object document() {
            Object v = value(0);
            skipSpace();
            if (pos != s.length()) throw error("unexpected '" + s.charAt(pos) + "' after the value");
            return v;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
            skipSpace();
            if (pos >= s.length()) throw error("unexpected end");
            char c = s.charAt(pos);
            switch (c) {
                case '{': return object(depth);
                case '[': return array(depth);
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected '" + c + "'");
            }
        }

        private Map<String, Object> object(int depth) {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') throw error("expected a key string");
                String key = string();
                skipSpace();
                expect(':');
                if (m.containsKey(key)) throw error("duplicate key '" + key + "'");
                m.put(key, value(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private List<Object> array(int depth) {
            List<Object> a = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return a;
            }
            while (true) {
                a.add(value(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return a;
                }
            }
        }

        private String string() {
            pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos++);
                if (c == '"') return b.toString();
                if (c < 0x20) throw error("control character in a string");
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos >= s.length()) throw error("unterminated escape");
                char e = s.charAt(pos++);
                switch (e) {
                    case '"': case '\\': case '/': b.append(e); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length()) throw error("short \\u escape");
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape '" + s.substring(pos, pos + 4) + "'");
                        }
                        pos += 4;
                        break;
                    default: throw error("bad escape '\\" + e + "'");
                }
            }
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') pos++;
            while (pos < s.length() && "0123456789.eE+-".indexOf(s.charAt(pos)) >= 0) pos++;
            String t = s.substring(start, pos);
            try {
                if (t.matches("-?\\d{1,18}")) return Long.parseLong(t);
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw error("bad number '" + t + "'");
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw error("unexpected '" + s.charAt(pos) + "'");
            pos += word.length();
            return v;
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) pos++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at character " + pos + " of the header (which starts at byte 8)");
        }
    }
}
