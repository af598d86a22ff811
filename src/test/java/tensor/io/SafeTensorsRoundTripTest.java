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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;

class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsTensorsAndMetadataInOrder() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("words.weight", Tensor.randn(1, 1f, 5, 3));
        tensors.put("words.bias", Tensor.randn(2, 1f, 3));
        tensors.put("a", Tensor.of(new float[] {Float.MIN_VALUE, -0f, Float.MAX_VALUE, 1e-30f}, 2, 2));
        Map<String, String> meta = Map.of("vocabulary", "don't\nsay \"quoted\"\\ café\ttab", "hidden", "3");
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, tensors, meta);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("words.weight", "words.bias", "a"), List.copyOf(c.tensors().keySet()));
        for (String name : tensors.keySet()) {
            assertArrayEquals(tensors.get(name).shape(), c.tensors().get(name).shape());
            assertArrayEquals(tensors.get(name).data(), c.tensors().get(name).data(), 0f);
        }
        assertEquals(meta, c.metadata());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "data starts 8-byte aligned");
    }

    @Test
    void readsAFileWrittenByTheReferenceLayout() throws IOException {
        // what Python's safetensors writes for {"w": torch.tensor([[1., 2.]])}: header, then little-endian floats
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}";
        Path f = file(json, new float[] {1f, 2f});
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new float[] {1f, 2f}, c.tensors().get("w").data(), 0f);
        assertTrue(c.metadata().isEmpty());
    }

    @Test
    void malformedFilesAreRefusedNamingTheProblem() throws IOException {
        assertBad(Files.write(dir.resolve("short"), new byte[] {1, 2, 3}), "is 3 bytes, too short");
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).putLong(0);
        assertBad(Files.write(dir.resolve("huge"), huge.array()), "header length " + Long.MAX_VALUE + " at byte 0 does not fit");
        assertBad(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", new float[] {1, 2}), "needs 16 bytes but data_offsets span 8");
        assertBad(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new float[] {1, 2}), "lie outside the 8 data bytes");
        assertBad(file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", new float[] {1, 2}), "dtype BF16");
        assertBad(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", new float[] {1, 2}), "bad size -1");
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new float[] {1, 2}), "overlap");
        assertBad(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", new float[] {1, 2}), "header JSON");
        assertBad(file("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", new float[0]), "nested deeper");
        assertBad(file("{\"__metadata__\":{\"k\":1}}", new float[0]), "entry 'k' is not a string");
        IOException missing = assertThrows(IOException.class, () -> SafeTensors.read(dir.resolve("nope.safetensors")));
        assertTrue(missing.getMessage().contains("nope.safetensors"), missing.getMessage());
    }

    private Path file(String json, float[] data) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (float x : data) b.putFloat(x);
        return Files.write(Files.createTempFile(dir, "t", ".safetensors"), b.array());
    }

    /** Refused with an IOException naming the file; the exact wording is tensor.io.SafeTensorsTest's to pin. */
    private void assertBad(Path f, String problem) {
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f), "not refused: " + problem);
        assertTrue(e.getMessage().contains(f.toString()), problem + ": " + e.getMessage());
    }
}
