package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.train.Checkpoint;
import app.train.TrainConfig;
import app.train.Training;
import data.Digits;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;

/** {@code train --from base.safetensors}: the base's body is kept bitwise, a new head trains, --freeze keeps the body fixed. */
class TransferTest {
    @TempDir
    Path dir;
    Checkpoint base;

    @BeforeEach
    void pretrain() throws Exception {
        TrainCommandTest.Result r = nabla("train", "--model", "64-32-16-10", "--epochs", "2", "--out", dir.resolve("base").toString());
        assertEquals(0, r.exit(), r.err());
        base = Checkpoint.read(dir.resolve("base/model.safetensors"));
    }

    @Test
    void aFrozenBodyKeepsTheBaseWeightsBitwiseAndOnlyTheNewHeadTrains() throws Exception {
        String from = dir.resolve("base/model.safetensors").toString();
        TrainCommandTest.Result r = nabla("train", "--from", from, "--model", "64-32-10", "--freeze", "1", "--epochs", "2", "--seed", "5",
                "--out", dir.resolve("ft").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("from " + from + ": kept Linear layer 1; new: Linear layer 2 (Linear layer 2 is [16, 32] (out, in) in "
                + from + " but [10, 32] in this model); frozen: Linear 1"), r.out());
        Checkpoint tuned = Checkpoint.read(dir.resolve("ft/model.safetensors"));
        assertArrayEquals(base.tensors().get("0.weight").data(), tuned.tensors().get("0.weight").data());
        assertArrayEquals(base.tensors().get("0.bias").data(), tuned.tensors().get("0.bias").data());
        // the head trained away from its fresh initialization
        TrainConfig c = tuned.config();
        Tensor fresh = Checkpoint.modelState(Training.fromSeed(c, Digits.split()).network()).get("2.weight");
        assertFalse(Arrays.equals(fresh.data(), tuned.tensors().get("2.weight").data()));
        assertEquals(from, c.from());
        assertTrue(tuned.metadata().get("transfer").contains("\"frozen\":\"1\""), tuned.metadata().toString());
        assertTrue(tuned.metadata().get("transfer").contains("\"kept_linear_layers\":1"), tuned.metadata().toString());
    }

    @Test
    void withoutFreezeTheRunStartsFromTheBaseAndTrainsEveryLayer() {
        TrainConfig c = TrainConfig.builder().model("64-32-16-10").epochs(1).seed(3L).from(dir.resolve("base/model.safetensors").toString())
                .build();
        Training run = Training.start(c, Digits.split());
        Map<String, Tensor> start = Checkpoint.modelState(run.network());
        for (String n : new String[] {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}) {
            assertArrayEquals(base.tensors().get(n).data(), start.get(n).data(), n);
        }
        float[] before = start.get("0.weight").data().clone();
        run.trainEpoch();
        assertFalse(Arrays.equals(before, Checkpoint.modelState(run.network()).get("0.weight").data()));
    }

    @Test
    void aFirstLayerThatDiffersNamesTheLayerAndBothShapes() {
        TrainCommandTest.Result r = nabla("train", "--from", dir.resolve("base/model.safetensors").toString(), "--model", "64-20-10",
                "--out", dir.resolve("bad").toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("nothing to keep: Linear layer 1 is [32, 64] (out, in) in "), r.err());
        assertTrue(r.err().contains("but [20, 64] in this model"), r.err());
    }
}
