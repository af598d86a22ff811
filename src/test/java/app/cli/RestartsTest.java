package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.train.Checkpoint;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --restarts K}: the kept seed has the lowest validation loss, and continuing it is the plain run of that seed. */
class RestartsTest {
    @TempDir
    Path dir;

    @Test
    void theLowestValidationLossIsKeptAndContinuedAsThePlainRunOfItsSeed() throws Exception {
        TrainCommandTest.Result r = nabla("train", "--restarts", "4", "--restart-epochs", "1", "--epochs", "3", "--val-split", "0.2",
                "--lr", "0.3", "--seed", "10", "--out", dir.resolve("r").toString());
        assertEquals(0, r.exit(), r.err());
        Matcher m = Pattern.compile("restart \\d/4: seed (\\d+), 1 epoch: val loss (\\S+),").matcher(r.out());
        long bestSeed = -1;
        double best = Double.POSITIVE_INFINITY;
        int n = 0;
        while (m.find()) {
            n++;
            double loss = Double.parseDouble(m.group(2));
            if (loss < best) {
                best = loss;
                bestSeed = Long.parseLong(m.group(1));
            }
        }
        assertEquals(4, n, r.out());
        assertTrue(r.out().contains("continuing seed " + bestSeed + " from epoch 1"), "kept " + bestSeed + ": " + r.out());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "val loss min %.4f (seed %d)", best, bestSeed)), r.out());

        TrainCommandTest.Result plain = nabla("train", "--epochs", "3", "--val-split", "0.2", "--lr", "0.3", "--seed",
                Long.toString(bestSeed), "--out", dir.resolve("p").toString());
        assertEquals(0, plain.exit(), plain.err());
        Checkpoint a = Checkpoint.read(dir.resolve("r/model.safetensors"));
        Checkpoint b = Checkpoint.read(dir.resolve("p/model.safetensors"));
        assertEquals(bestSeed, a.config().seed());
        for (String t : new String[] {"0.weight", "0.bias", "2.weight", "2.bias"}) {
            assertArrayEquals(b.tensors().get(t).data(), a.tensors().get(t).data(), t);
        }
    }

    @Test
    void aBudgetThatLeavesNothingToContinueIsABadUsage() {
        TrainCommandTest.Result r = nabla("train", "--restarts", "2", "--restart-epochs", "3", "--epochs", "3",
                "--out", dir.resolve("x").toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--restart-epochs 3 must be below --epochs 3"), r.err());
    }
}
