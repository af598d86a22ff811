package tensor.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz tests of the tensor file parsers (issue 17). In {@code mvn verify} each replays the inputs
 * committed under {@code src/test/resources/tensor/io/FormatsFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} it fuzzes. Only the parser's documented exception may escape: an
 * {@link IOException} (a {@link FileFormatException} saying what is wrong) or, for JSON, its
 * {@link Json.ParseException}; anything else (an index error, an out-of-memory error) is a finding.
 */
class FormatsFuzzTest {
    private static Path file(byte[] data, String suffix) throws IOException {
        Path f = Files.createTempFile("nabla-fuzz-", suffix);
        Files.write(f, data);
        return f;
    }

    @FuzzTest(maxDuration = "10m")
    void safetensors(byte[] data) throws IOException {
        Path f = file(data, ".safetensors");
        try {
            SafeTensors.read(f);
        } catch (IOException expected) {
            // a bad file is refused with a message
        } finally {
            Files.delete(f);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void npy(byte[] data) throws IOException {
        Path f = file(data, ".npy");
        try {
            Npy.read(f);
        } catch (IOException expected) {
            // a bad file is refused with a message
        } finally {
            Files.delete(f);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void json(byte[] data) {
        try {
            Json.parse(new String(data, StandardCharsets.UTF_8));
        } catch (Json.ParseException expected) {
            // bad JSON is refused with its offset
        }
    }
}
