package tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;

class SafeTensorsTest {
    @TempDir Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layer0.weight", Tensor.randn(1, 1f, 3, 5));
        m.put("layer0.bias", Tensor.of(new float[] {0.5f, -0f, Float.MIN_VALUE}, 3));
        m.put("conv.kernel", Tensor.randn(2, 1f, 2, 1, 3, 3));
        m.put("empty", Tensor.zeros(0, 4));
        return m;
    }

    @Test
    void roundTripIsBitwise() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, Tensor> in = sample();
        Map<String, String> meta = Map.of("architecture", "784-128-10", "epoch", "3");
        SafeTensors.write(f, in, meta);
        // The data starts 8-byte aligned, as the reference writer pads it.
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLen) % 8);
        SafeTensors.Contents out = SafeTensors.read(f);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(out.tensors().keySet()));
        for (String name : in.keySet()) {
            assertArrayEquals(in.get(name).shape(), out.get(name).shape(), name);
            for (int i = 0; i < in.get(name).size(); i++) {
                assertEquals(Float.floatToRawIntBits(in.get(name).data()[i]), Float.floatToRawIntBits(out.get(name).data()[i]), name);
            }
        }
        assertEquals(meta, out.metadata());
    }

    @Test
    void writesTransposedViewsAsTheirValues() throws IOException {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose();
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, Map.of("t", t), Map.of());
        Tensor back = SafeTensors.read(f).get("t");
        assertArrayEquals(new int[] {3, 2}, back.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, back.data());
    }

    /** Bytes laid out exactly as Python's safetensors.torch.save_file writes them, built by hand. */
    @Test
    void readsAFileInThePythonLibrarysLayout() throws IOException {
        // save_file({"weight": [[1,2],[3,4]], "bias": [0.5,-1]}, metadata={"format": "pt"}) sorts tensors
        // by alignment then name (bias first) and pads the header with spaces to a multiple of 8.
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}}";
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        b.putFloat(0.5f).putFloat(-1f);
        b.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f);
        Path f = dir.resolve("torch.safetensors");
        Files.write(f, b.array());

        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new float[] {0.5f, -1f}, c.get("bias").data());
        assertArrayEquals(new int[] {2, 2}, c.get("weight").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.get("weight").data());
        // Our own writer produces byte-identical output for the same tensors in the same order.
        Map<String, Tensor> same = new LinkedHashMap<>();
        same.put("bias", c.get("bias"));
        same.put("weight", c.get("weight"));
        Path g = dir.resolve("ours.safetensors");
        SafeTensors.write(g, same, Map.of("format", "pt"));
        assertArrayEquals(b.array(), Files.readAllBytes(g));
    }

    // ------------------------------------------------------------ hostile files

    private Path file(long headerLen, String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h);
        Path f = dir.resolve("hostile.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private Path file(String json, int dataBytes) throws IOException {
        return file(json.getBytes(StandardCharsets.UTF_8).length, json, dataBytes);
    }

    private static String one(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private static String rejected(Path f, String... fragments) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafeTensors.read(f));
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString() + ": byte "), m);
        for (String s : fragments) assertTrue(m.contains(s), "'" + s + "' missing from: " + m);
        return m;
    }

    @Test
    void hugeHeaderLengthIsRefusedBeforeAllocating() throws IOException {
        rejected(file(1L << 62, "{}", 0), "byte 0", "header length 4611686018427387904", "bound");
        rejected(file(-1L, "{}", 0), "byte 0", "header length 18446744073709551615");
        rejected(file(SafeTensors.MAX_HEADER_BYTES, "{}", 0), "runs past the end of the file");
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2, 3});
        rejected(tiny, "byte 0", "only 3 bytes");
    }

    @Test
    void offsetsPastTheEndAreRefused() throws IOException {
        Path f = file("{" + one("w", "F32", "[4]", "[0,16]") + "}", 8);
        rejected(f, "tensor 'w'", "end past the end of the file", "8 bytes");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        Path f = file("{" + one("a", "F32", "[4]", "[0,16]") + "," + one("b", "F32", "[2]", "[8,16]") + "}", 16);
        rejected(f, "tensor 'b'", "overlaps tensor 'a'");
    }

    @Test
    void otherDtypesAreRefusedByName() throws IOException {
        rejected(file("{" + one("half", "F16", "[4]", "[0,8]") + "}", 8), "tensor 'half'", "dtype F16", "F32 only");
    }

    @Test
    void shapeMustAgreeWithTheByteSpan() throws IOException {
        rejected(file("{" + one("w", "F32", "[3]", "[0,16]") + "}", 16), "tensor 'w'", "needs 12 bytes", "span 16");
        // A shape whose product would wrap around 64 bits still needs more than the 16 bytes it spans.
        String huge = "[2147483647,2147483647,2147483647,2147483647]";
        rejected(file("{" + one("w", "F32", huge, "[0,16]") + "}", 16), "tensor 'w'", "span 16");
        rejected(file("{" + one("w", "F32", "[-1]", "[0,0]") + "}", 0), "tensor 'w'", "bad dimension -1");
        rejected(file("{" + one("w", "F32", "[1,1,1,1,1]", "[0,4]") + "}", 4), "tensor 'w'", "rank 5");
        rejected(file("{" + one("w", "F32", "[1]", "[4,0]") + "}", 4), "tensor 'w'", "not an increasing pair");
        rejected(file("{" + one("w", "F32", "[1]", "[0]") + "}", 4), "tensor 'w'", "data_offsets must be a list of two integers");
    }

    @Test
    void malformedHeadersNameTheOffset() throws IOException {
        rejected(file("{\"w\":", 0), "byte 13", "bad header", "unexpected end");
        rejected(file("[1,2]", 0), "byte 8", "not a JSON object");
        rejected(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4), "tensor 'w'", "unknown field 'extra'");
        rejected(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__ value of 'k' is not a string");
        byte[] notUtf8 = {'{', (byte) 0xff, '}'};
        ByteBuffer b = ByteBuffer.allocate(8 + 3).order(ByteOrder.LITTLE_ENDIAN).putLong(3).put(notUtf8);
        Path f = dir.resolve("latin1.safetensors");
        Files.write(f, b.array());
        rejected(f, "not valid UTF-8");
    }

    // ------------------------------------------------------------ atomic save

    @Test
    void anInterruptedSaveLeavesThePreviousFileLoadable() throws IOException {
        Path f = dir.resolve("checkpoint.safetensors");
        Map<String, Tensor> first = sample();
        SafeTensors.write(f, first, Map.of("epoch", "1"));
        byte[] before = Files.readAllBytes(f);

        Map<String, Tensor> second = new LinkedHashMap<>();
        second.put("layer0.weight", Tensor.randn(9, 1f, 300, 300));
        IOException crash = assertThrows(IOException.class,
                () -> SafeTensors.write(f, second, Map.of("epoch", "2"), ch -> new FailingChannel(ch, 100_000)));
        assertEquals("simulated crash mid-save", crash.getCause().getMessage());
        assertTrue(crash.getMessage().startsWith("cannot write " + f.toAbsolutePath() + ": "), crash.getMessage());

        assertArrayEquals(before, Files.readAllBytes(f), "the old checkpoint is untouched");
        assertEquals("1", SafeTensors.read(f).metadata().get("epoch"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary file is left behind");
        }
        // An exception thrown by the body itself behaves the same.
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(f, ch -> {
            ch.write(ByteBuffer.wrap(new byte[10]));
            throw new IllegalStateException("boom");
        }));
        assertArrayEquals(before, Files.readAllBytes(f));
    }

    @Test
    void savedFilesGetOrdinaryPermissionsNotTheTempFilesOwnerOnly() throws IOException {
        Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "not a POSIX file system");
        Path f = dir.resolve("p.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
        SafeTensors.write(f, sample(), Map.of());
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "a replaced file keeps its permissions");
    }

    @Test
    void readHeaderListsWithoutLoading() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        SafeTensors.Header h = SafeTensors.readHeader(f);
        assertEquals(4, h.entries().size());
        SafeTensors.Entry w = h.entries().get(0);
        assertEquals("layer0.weight", w.name());
        assertArrayEquals(new int[] {3, 5}, w.shape());
        assertEquals(60, w.end() - w.begin());
        assertEquals(Files.size(f), h.entries().get(3).end(), "the last tensor ends at the end of the file");
    }

}
