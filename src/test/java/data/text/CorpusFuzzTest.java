package data.text;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz test of the sentiment corpus reader (issue 17): {@code mvn verify} replays the inputs
 * committed under {@code src/test/resources/data/text/CorpusFuzzTestInputs/tsv/};
 * {@code JAZZER_FUZZ=1} fuzzes. Only an {@link IOException} saying what is wrong, or the vocabulary's
 * documented {@link IllegalArgumentException} when no word survives, may escape.
 */
class CorpusFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void tsv(byte[] data) throws IOException {
        Path f = Files.createTempFile("nabla-fuzz-", ".tsv");
        Files.write(f, data);
        try {
            ReviewCorpus c = ReviewCorpus.readTsv(f);
            Vocabulary.build(c.texts(), c.labels(), Vocabulary.Options.NONE);  // tokenizes every review
        } catch (IOException expected) {
            // refused with a message
        } catch (IllegalArgumentException documented) {
            // Vocabulary.build: nothing survives (an empty corpus, no words)
        } finally {
            Files.delete(f);
        }
    }
}
