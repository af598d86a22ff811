package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.TrainCommandTest.Result;
import app.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;

/** Issue 17's rows on losing work: divergence, overwriting, resuming with nothing to do, flags over a resumed run. */
class RunSafetyTest {
    @TempDir Path dir;

    private Path trained(int epochs) {
        Result r = nabla("train", "--out", dir.toString(), "--epochs", Integer.toString(epochs), "--backend", "cpu");
        assertEquals(0, r.exit(), r.err());
        return dir.resolve("model.safetensors");
    }

    @Test
    void divergenceAfterSaneEpochsKeepsTheirCheckpointAndNamesIt() throws IOException {
        Path ck = trained(2);
        byte[] sane = Files.readAllBytes(ck);
        Result r = nabla("train", "--resume", ck.toString(), "--epochs", "4", "--lr", "1000", "--backend", "cpu");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        Matcher m = Pattern.compile("diverged at step (\\d+) \\(epoch 3\\): (loss .* is more than 1000× the first epoch's|the loss is)").matcher(r.err());
        assertTrue(m.find(), r.err());
        assertTrue(r.err().contains("the last sane checkpoint is " + ck + " (epoch 2)"), r.err());
        assertArrayEquals(sane, Files.readAllBytes(ck), "the checkpoint of epoch 2 is left as it was");
        for (Tensor t : Checkpoint.read(ck).tensors().values()) {
            for (int i = 0; i < t.size(); i++) assertTrue(Float.isFinite(t.data()[t.offset() + i]));
        }
    }

    @Test
    void divergenceInTheFirstEpochSaysNoCheckpointWasWritten() {
        Result r = nabla("train", "--out", dir.toString(), "--lr", "1000", "--backend", "cpu");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().matches("(?s)nabla train: diverged at step \\d+ \\(epoch 1\\): .*; no checkpoint was written; try a lower --lr\\s*"), r.err());
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
    }

    @Test
    void aNewRunRefusesToOverwriteACheckpointItDidNotWrite() throws IOException {
        Path ck = trained(1);
        byte[] before = Files.readAllBytes(ck);
        Result r = nabla("train", "--out", dir.toString(), "--epochs", "1", "--seed", "7", "--backend", "cpu");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains(ck + " exists and this run did not write it: give --overwrite to replace it, --resume " + ck), r.err());
        assertFalse(r.out().contains("epoch 1/"), r.out());
        assertArrayEquals(before, Files.readAllBytes(ck));
        Result again = nabla("train", "--out", dir.toString(), "--epochs", "1", "--seed", "7", "--overwrite", "--backend", "cpu");
        assertEquals(0, again.exit(), again.err());
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(ck)), "--overwrite replaced it");
    }

    @Test
    void resumeWithNothingLeftToTrainSaysSo() {
        Path ck = trained(2);
        Result r = nabla("train", "--resume", ck.toString(), "--epochs", "2", "--backend", "cpu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("nothing left to train: " + ck + " is at epoch 2 and --epochs is 2; give --epochs above 2 to train more"),
                r.out());
    }

    @Test
    void aLearningRateGivenWithResumeOverridesTheSavedOne() throws IOException {
        Path ck = trained(1);
        Result r = nabla("train", "--resume", ck.toString(), "--epochs", "2", "--lr", "0.01", "--backend", "cpu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("resumed: " + ck + " after epoch 1, lr 0.01"), r.out());
        assertEquals(0.01f, Checkpoint.read(ck).learningRate());
    }
}
