package app.clean;

import com.code_intelligence.jazzer.junit.FuzzTest;
import data.Dataset;
import data.Digits;
import java.nio.file.Path;

/**
 * Fuzz test of the label-overrides reader and its checks against the data: any bytes as the file,
 * applied to the embedded digits. In {@code mvn verify} it replays the inputs committed under
 * {@code src/test/resources/app/clean/LabelOverridesFuzzTestInputs/readAndApply/}; with
 * {@code JAZZER_FUZZ=1} it fuzzes. Only {@link LabelOverrides.BadFile} (one line: file, line, problem) may escape.
 */
class LabelOverridesFuzzTest {
    private static final Dataset.Split DIGITS = Digits.split();
    private static final Path FILE = Path.of("fuzzed.csv");

    @FuzzTest(maxDuration = "10m")
    void readAndApply(byte[] file) {
        try {
            OverriddenLabels.Result r = OverriddenLabels.apply(LabelOverrides.parse(FILE, file), DIGITS, "digits");
            if (r.data().train().size() + r.deleted() != DIGITS.train().size() + countTest(r)) throw new IllegalStateException("rows lost");
        } catch (LabelOverrides.BadFile expected) {
            if (expected.getMessage().contains("\n")) throw new IllegalStateException("a refusal must be one line: " + expected.getMessage());
        }
    }

    /** Rows deleted from the test split (counted in deleted() too). */
    private static int countTest(OverriddenLabels.Result r) {
        return DIGITS.test().size() - r.data().test().size();
    }
}
