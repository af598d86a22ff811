package data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz tests of the dataset parsers (issue 17): IDX images and labels, CIFAR-10 batches, CSV, and
 * one image of an image folder. {@code mvn verify} replays the inputs committed under
 * {@code src/test/resources/data/LoadersFuzzTestInputs/<method>/}; {@code JAZZER_FUZZ=1}
 * fuzzes. Only an {@link IOException} (the loaders' {@link tensor.io.FileFormatException}) may
 * escape; the bounds are small so a header claiming a huge size must be refused, not allocated.
 */
class LoadersFuzzTest {
    /** Every allocation a fuzzed header can ask for stays under this. */
    private static final long MAX_BYTES = 1 << 20;

    private static Path file(byte[] data, String suffix) throws IOException {
        Path f = Files.createTempFile("nabla-fuzz-", suffix);
        Files.write(f, data);
        return f;
    }

    @FuzzTest(maxDuration = "10m")
    void idx(byte[] data) throws IOException {
        Path f = file(data, "-idx-ubyte");
        try {
            Idx.readImages(f, MAX_BYTES);
        } catch (IOException expected) {
            // refused with a message
        }
        try {
            Idx.readLabels(f, 10);
        } catch (IOException expected) {
            // refused with a message
        } finally {
            Files.delete(f);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void cifarBatch(byte[] data) throws IOException {
        Path f = file(data, ".bin");
        try {
            Cifar10.readBatch(f, MAX_BYTES);
        } catch (IOException expected) {
            // refused with a message
        } finally {
            Files.delete(f);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void csv(byte[] data) {
        try {
            Csv.read(new ByteArrayInputStream(data), Path.of("fuzz.csv"), "fuzz", Csv.Options.defaults().withMaxBytes(MAX_BYTES));
        } catch (IOException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = "10m")
    void image(byte[] data) throws IOException {
        Path f = file(data, ".png");
        try {
            ImageFolder.decode(f, MAX_BYTES / 4);
        } catch (IOException expected) {
            // refused with a message
        } finally {
            Files.delete(f);
        }
    }
}
