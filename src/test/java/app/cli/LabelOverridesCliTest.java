package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.clean.LabelIssues;
import app.clean.LabelOverrides;
import app.clean.Review;
import data.Dataset;
import data.Digits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --label-overrides}: the decisions of clean's page change the data a run trains on; a bad file is one line. */
class LabelOverridesCliTest {
    @TempDir
    Path dir;

    @Test
    void trainAppliesTheDecisionsOfTheCleanPage() throws Exception {
        Dataset.Split digits = Digits.split();
        Path file = dir.resolve("label-overrides.csv");
        List<Review.Split> splits = new ArrayList<>();
        for (String name : List.of("train", "test")) {
            Dataset d = name.equals("train") ? digits.train() : digits.test();
            float[] p = new float[d.size() * 10];
            for (int i = 0; i < d.size(); i++) p[i * 10 + d.labels()[i]] = 1;
            splits.add(new Review.Split(name, d, p, LabelIssues.rank(p, d.labels(), 10)));
        }
        Review review = new Review("digits", splits, LabelOverrides.readOrEmpty(file));
        String relabel = Integer.toString((digits.train().labels()[0] + 1) % 10);
        review.decide("train", 0, Review.Action.RELABEL, relabel);
        review.decide("train", 1, Review.Action.DELETE, null);
        review.decide("train", 2, Review.Action.DELETE, null);
        review.decide("test", 0, Review.Action.KEEP, null);

        TrainCommandTest.Result r = TrainCommandTest.nabla("train", "--epochs", "1", "--out", dir.resolve("run").toString(),
                "--label-overrides", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("label overrides: " + file + ": 1 relabelled, 2 deleted, 1 kept as they were"), r.out());
        assertTrue(r.out().contains("data: digits, 1436 training examples of 64 features"), r.out());
        assertTrue(r.out().contains("validation: the test set (359)"), r.out());
    }

    @Test
    void aFileThatDoesNotFitIsRefusedInOneLine() throws Exception {
        int y0 = Digits.split().train().labels()[0];
        String other = Integer.toString((y0 + 1) % 10);
        String[][] cases = {
            {"mnist/train,0," + y0 + ",delete", "line 2: dataset 'mnist/train' is not this data"},
            {"digits/test,359,0,delete", "line 2: index 359 is out of range: digits/test has 359 examples (0..358)"},
            {"digits/train,0," + y0 + ",seven", "line 2: unknown class 'seven'"},
            {"digits/train,0," + other + ",delete", "line 2: old label '" + other + "' does not match the data"},
        };
        Path file = dir.resolve("bad.csv");
        for (String[] c : cases) {
            Files.writeString(file, LabelOverrides.HEADER + "\n" + c[0] + "\n");
            TrainCommandTest.Result r = TrainCommandTest.nabla("train", "--epochs", "1", "--out", dir.resolve("run").toString(),
                    "--label-overrides", file.toString());
            assertEquals(1, r.exit(), r.out() + r.err());
            assertEquals("nabla train: " + file + " " + c[1], r.err().strip().substring(0, ("nabla train: " + file + " " + c[1]).length()), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        TrainCommandTest.Result missing = TrainCommandTest.nabla("train", "--out", dir.resolve("run").toString(),
                "--label-overrides", dir.resolve("none.csv").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("--label-overrides " + dir.resolve("none.csv") + ": no such file"), missing.err());
    }

    /**
     * A --resume run trains on the labels its checkpoint was trained on: it applies the recorded file again, refuses it
     * once the file has changed since the checkpoint was written, and goes on with it as it is when it is given again.
     */
    @Test
    void aResumedRunAppliesTheRecordedOverridesAndRefusesAChangedFile() throws Exception {
        int y0 = Digits.split().train().labels()[0];
        Path file = dir.resolve("label-overrides.csv");
        Files.writeString(file, LabelOverrides.HEADER + "\ndigits/train,0," + y0 + ",delete\n");
        Path checkpoint = dir.resolve("run").resolve("model.safetensors");
        TrainCommandTest.Result first = TrainCommandTest.nabla("train", "--epochs", "1", "--out", dir.resolve("run").toString(),
                "--label-overrides", file.toString());
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("data: digits, 1437 training examples"), first.out());

        TrainCommandTest.Result resumed = TrainCommandTest.nabla("train", "--resume", checkpoint.toString(), "--epochs", "2");
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("label overrides: " + file + ", as " + checkpoint + " recorded"), resumed.out());
        assertTrue(resumed.out().contains("data: digits, 1437 training examples"), resumed.out());

        // the page saves another decision after the run stopped
        Files.writeString(file, LabelOverrides.HEADER + "\ndigits/train,0," + y0 + ",delete\ndigits/train,1,"
                + Digits.split().train().labels()[1] + ",delete\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(checkpoint).toMillis() + 10_000));
        TrainCommandTest.Result changed = TrainCommandTest.nabla("train", "--resume", checkpoint.toString(), "--epochs", "3");
        assertEquals(1, changed.exit(), changed.out() + changed.err());
        assertTrue(changed.err().contains("was trained with --label-overrides " + file + ", changed 10.0 s after that checkpoint was written"),
                changed.err());
        assertTrue(changed.err().contains("give --label-overrides " + file + " to go on with it as it is now"), changed.err());

        TrainCommandTest.Result given = TrainCommandTest.nabla("train", "--resume", checkpoint.toString(), "--epochs", "3",
                "--label-overrides", file.toString());
        assertEquals(0, given.exit(), given.err());
        assertTrue(given.out().contains("data: digits, 1436 training examples"), given.out());
    }
}
