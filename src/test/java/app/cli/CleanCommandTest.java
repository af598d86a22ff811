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
    void applyAndUndoMoveTheImagesOfAFolder() throws Exception {
        Path root = dir.resolve("pets");
        for (String f : List.of("cat/1.png", "cat/2.png", "dog/3.png")) {
            Files.createDirectories(root.resolve(f).getParent());
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", root.resolve(f).toFile());
        }
        Path file = dir.resolve("o.csv");
        Files.writeString(file, "dataset,example,old_label,new_label\npets/train,cat/1.png,cat,delete\npets/test,cat/2.png,cat,dog\n");
        TrainCommandTest.Result r = TrainCommandTest.nabla("clean", "--apply", file.toString(), "--data", root.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("1 images moved to " + root.resolve(".nabla-trash") + ", 1 into their new class folder"), r.out());
        assertTrue(Files.exists(root.resolve(".nabla-trash/cat/1.png")) && Files.exists(root.resolve("dog/2.png")));
        Matcher log = Pattern.compile("undo log: (\\S+) ").matcher(r.out());
        assertTrue(log.find(), r.out());
        TrainCommandTest.Result u = TrainCommandTest.nabla("clean", "--undo", log.group(1));
        assertEquals(0, u.exit(), u.err());
        assertTrue(u.out().startsWith("undone: 2 images moved back;"), u.out());
        assertTrue(Files.exists(root.resolve("cat/1.png")) && Files.exists(root.resolve("cat/2.png")) && !Files.exists(root.resolve("dog/2.png")));
        // digits are not a folder: --apply says what to do instead
        TrainCommandTest.Result notFolder = TrainCommandTest.nabla("clean", "--apply", file.toString(), "--data", "digits");
        assertEquals(2, notFolder.exit());
        assertTrue(notFolder.err().contains("--data digits is not a folder (train with --label-overrides " + file + " instead)"), notFolder.err());
    }

    @Test
    void thePageRefusesWhatItCannotServeBeforeTheRanking() throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, TrainCommandTest.nabla("train", "--epochs", "1", "--out", run.toString()).exit());
        String ck = run.resolve("model.safetensors").toString();
        TrainCommandTest.Result both = TrainCommandTest.nabla("clean", "--checkpoint", ck, "--split", "both", "--report", dir.resolve("r.csv").toString());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("--split both is for the page"), both.err());
        TrainCommandTest.Result flip = TrainCommandTest.nabla("clean", "--checkpoint", ck, "--flip", "0.02", "--serve");
        assertEquals(2, flip.exit());
        assertTrue(flip.err().contains("--flip flips labels on purpose"), flip.err());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            TrainCommandTest.Result port = TrainCommandTest.nabla("clean", "--checkpoint", ck, "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, port.exit());
            assertTrue(port.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), port.err());
            assertEquals("", port.out(), "refused before the ranking");
        }
        Path other = dir.resolve("other.csv");
        Files.writeString(other, "dataset,example,old_label,new_label\nfashion-mnist/train,0,Bag,delete\n");
        TrainCommandTest.Result foreign = TrainCommandTest.nabla("clean", "--checkpoint", ck, "--port", "0", "--label-overrides", other.toString());
        assertEquals(1, foreign.exit());
        assertTrue(foreign.err().contains(other + " line 2: dataset 'fashion-mnist/train' is not this data"), foreign.err());
        assertEquals("", foreign.out(), "refused before the ranking");
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
