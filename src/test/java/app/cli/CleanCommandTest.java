package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla clean} on the embedded digits, as a user runs it. */
class CleanCommandTest {
    @TempDir
    Path dir;

    @Test
    void theRankingFindsLabelsFlippedOnPurposeAndWritesItsReport() throws Exception {
        Path ck = dir.resolve("run");
        assertEquals(0, TrainCommandTest.nabla("train", "--epochs", "10", "--out", ck.toString()).exit());
        Path report = dir.resolve("issues.csv");
        TrainCommandTest.Result r = TrainCommandTest.nabla("clean", "--checkpoint", ck.resolve("model.safetensors").toString(),
                "--flip", "0.02", "--top", "30", "--report", report.toString());
        assertEquals(0, r.exit(), r.err());
        Matcher m = Pattern.compile("top 3% \\(44 examples\\): recall ([0-9.]+) \\((\\d+) of 29 flipped\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        // seeded and thread-independent, so the figure is exact (0.966, 28 of 29); the bar is the 0.8
        assertTrue(Double.parseDouble(m.group(1)) >= 0.8, r.out());
        List<String> lines = Files.readAllLines(report);
        assertEquals("rank,index,given,suggested,self_confidence,flagged", lines.get(0));
        assertEquals(31, lines.size());
        assertTrue(lines.get(1).startsWith("1,"), lines.get(1));
    }

    @Test
    void badFlagsSayWhatIsWrong() {
        TrainCommandTest.Result r = TrainCommandTest.nabla("clean", "--checkpoint", dir.resolve("none.safetensors").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("none.safetensors"), r.err());
        TrainCommandTest.Result flip = TrainCommandTest.nabla("clean", "--flip", "0.9");
        assertEquals(2, flip.exit(), flip.err());
        assertTrue(flip.err().contains("--flip must be in (0, 0.5]"), flip.err());
    }
}
