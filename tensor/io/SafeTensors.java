package tensor.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tensor.Tensor;

/**
 * The safetensors format (as written by Hugging Face's {@code safetensors} library and read by
 * PyTorch): an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the raw
 * little-endian tensor bytes. The JSON maps each tensor name to
 * {@code {"dtype":"F32","shape":[..],"data_offsets":[begin,end]}} (offsets relative to the start
 * of the data), plus an optional {@code "__metadata__"} map of strings to strings.
 *
 * <p>nabla writes and reads F32 only. Reading validates everything against the file's real
 * length before it allocates anything of a claimed size: the header length is bounded by
 * {@link #MAX_HEADER_BYTES}, offsets must lie inside the file and not overlap, and the byte
 * span of each tensor must equal what its dtype and shape need. Errors name the file, the
 * tensor and the byte offset.
 */
public final class SafeTensors {
    /** A header longer than this is refused (the library's own bound is 100 MB as well). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The metadata key of the header. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK_FLOATS = 1 << 16;

    private SafeTensors() {}

    /** The tensors of a file, in header order, and its string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** The named tensor, or an exception that lists the names the file has. */
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) throw new IllegalArgumentException("no tensor '" + name + "'; the file has " + tensors.keySet());
            return t;
        }
    }

    /** One header entry: a tensor's name, shape and the absolute byte range of its data in the file. */
    public record Entry(String name, int[] shape, long begin, long end) {}

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensors} (in map order) and {@code metadata} to {@code file}, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, ch -> ch);
    }

    /** As {@link #write(Path, Map, Map)}, writing through {@code wrap} (tests use it to fail mid-way). */
    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                      Function<FileChannel, WritableByteChannel> wrap) throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFile.write(file, ch -> {
            WritableByteChannel out = wrap.apply(ch);
            ByteBuffer buf = ByteBuffer.allocate(Math.max(8 + header.length, 4 * CHUNK_FLOATS)).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length).put(header).flip();
            writeFully(out, buf);
            for (Tensor t : tensors.values()) {
                Tensor c = t.contiguous() ? t : t.copy();
                float[] a = c.data();
                for (int i = 0; i < c.size(); i += CHUNK_FLOATS) {
                    int len = Math.min(CHUNK_FLOATS, c.size() - i);
                    buf.clear();
                    buf.asFloatBuffer().put(a, c.offset() + i, len);
                    buf.limit(4 * len);
                    writeFully(out, buf);
                }
            }
        });
    }

    /** The JSON header, padded with spaces so the data starts 8-byte aligned (as the reference library does). */
    static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) root.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA_KEY);
            Tensor t = e.getValue();
            long bytes = 4L * t.size();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            root.put(e.getKey(), info);
            offset += bytes;
        }
        StringBuilder json = new StringBuilder(Json.write(root));
        byte[] utf8 = json.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - utf8.length % 8) % 8;
        if (pad == 0) return utf8;
        byte[] padded = Arrays.copyOf(utf8, utf8.length + pad);
        Arrays.fill(padded, utf8.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    // ---------------------------------------------------------------- reading

    /** Reads every tensor and the metadata of {@code file}. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : h.entries) {
                Tensor t = Tensor.zeros(e.shape.length == 0 ? new int[] {1} : e.shape);
                float[] a = t.data();
                long pos = e.begin;
                for (int i = 0; i < a.length; i += CHUNK_FLOATS) {
                    int len = Math.min(CHUNK_FLOATS, a.length - i);
                    buf.clear().limit(4 * len);
                    while (buf.hasRemaining()) {
                        int r = ch.read(buf, pos + buf.position());
                        if (r < 0) throw new FileFormatException(file, pos + buf.position(), "tensor '" + e.name + "': file ends inside its data");
                    }
                    buf.flip();
                    buf.asFloatBuffer().get(a, i, len);
                    pos += 4L * len;
                }
                tensors.put(e.name, t);
            }
            return new Contents(Collections.unmodifiableMap(tensors), h.metadata);
        }
    }

    /** The validated header: entries in header order and the metadata. No tensor data is read. */
    public record Header(List<Entry> entries, Map<String, String> metadata) {}

    /** Reads and validates the header of {@code file} (cheap: a listing, a shape check before loading). */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new FileFormatException(file, 0, "a safetensors file starts with an 8-byte header length, but the file has only " + fileSize + " bytes");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new FileFormatException(file, 0, "header length " + Long.toUnsignedString(headerLen)
                    + " is beyond the bound of " + MAX_HEADER_BYTES + " bytes (not a safetensors file, or a hostile one)");
        }
        if (8 + headerLen > fileSize) {
            throw new FileFormatException(file, 0, "header length " + headerLen + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8, file);
        hb.flip();
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb).toString();
        } catch (CharacterCodingException e) {
            throw new FileFormatException(file, 8, "the header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(json);
        } catch (Json.ParseException e) {
            // Offsets are exact for an ASCII header, which is what every writer produces.
            throw new FileFormatException(file, 8 + e.offset(), "bad header: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> map)) throw new FileFormatException(file, 8, "the header is not a JSON object");

        long dataStart = 8 + headerLen;
        long dataLen = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : map.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals(METADATA_KEY)) {
                if (!(kv.getValue() instanceof Map<?, ?> m)) throw new FileFormatException(file, 8, METADATA_KEY + " is not an object");
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) {
                        throw new FileFormatException(file, 8, METADATA_KEY + " value of '" + me.getKey() + "' is not a string");
                    }
                    metadata.put((String) me.getKey(), s);
                }
                continue;
            }
            entries.add(entry(file, name, kv.getValue(), dataStart, dataLen));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry prev = byOffset.get(i - 1);
            Entry cur = byOffset.get(i);
            if (cur.begin < prev.end) {
                throw new FileFormatException(file, cur.begin, "tensor '" + cur.name + "' (bytes " + cur.begin + ".." + cur.end
                        + ") overlaps tensor '" + prev.name + "' (bytes " + prev.begin + ".." + prev.end + ")");
            }
        }
        return new Header(Collections.unmodifiableList(entries), Collections.unmodifiableMap(metadata));
    }

    /** Validates one tensor entry against the data section [dataStart, dataStart + dataLen). */
    private static Entry entry(Path file, String name, Object value, long dataStart, long dataLen) throws FileFormatException {
        String what = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> info)) throw new FileFormatException(file, 8, what + ": entry is not an object");
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new FileFormatException(file, 8, what + ": unknown field '" + key + "'");
            }
        }
        if (!(info.get("dtype") instanceof String dtype)) throw new FileFormatException(file, 8, what + ": no dtype");
        if (!dtype.equals("F32")) {
            throw new FileFormatException(file, 8, what + ": dtype " + dtype + " is not supported (nabla reads F32 only)");
        }
        if (!(info.get("shape") instanceof List<?> shapeList)) throw new FileFormatException(file, 8, what + ": no shape list");
        if (shapeList.size() > 4) {
            throw new FileFormatException(file, 8, what + ": rank " + shapeList.size() + " (shape " + shapeList + ") is more than the 4 a Tensor holds");
        }
        int[] shape = new int[shapeList.size()];
        long elements = 1;
        for (int d = 0; d < shape.length; d++) {
            if (!(shapeList.get(d) instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) {
                throw new FileFormatException(file, 8, what + ": bad dimension " + shapeList.get(d) + " in shape " + shapeList);
            }
            shape[d] = (int) (long) dim;
            // Saturates instead of wrapping: a hostile shape cannot multiply around to a small size.
            elements = (dim != 0 && elements > Long.MAX_VALUE / 4 / dim) ? Long.MAX_VALUE / 4 : elements * dim;
        }
        if (!(info.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)) {
            throw new FileFormatException(file, 8, what + ": data_offsets must be a list of two integers, got " + info.get("data_offsets"));
        }
        if (begin < 0 || end < begin) {
            throw new FileFormatException(file, 8, what + ": data_offsets [" + begin + ", " + end + "] are not an increasing pair");
        }
        if (end > dataLen) {
            throw new FileFormatException(file, dataStart + begin, what + ": data_offsets [" + begin + ", " + end
                    + "] end past the end of the file (the data section has " + dataLen + " bytes)");
        }
        long needed = 4 * elements;
        if (end - begin != needed) {
            throw new FileFormatException(file, dataStart + begin, what + ": F32 shape " + Arrays.toString(shape) + " needs "
                    + needed + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw new FileFormatException(file, dataStart + begin, what + ": " + elements + " elements are more than a Java array holds");
        }
        return new Entry(name, shape, dataStart + begin, dataStart + end);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) throw new FileFormatException(file, at + buf.position(), "unexpected end of file");
        }
    }
}
