package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.TrainCommandTest.Result;
import app.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;
import tensor.io.Npy;

/** Issue 17: predict refuses NaN inputs and NaN weights, naming where, instead of printing NaN probabilities. */
class NonFiniteTest {
    @TempDir Path dir;

    @Test
    void nanInputsAndWeightsAreRefusedNamingTheRowAndColumn() throws IOException {
        assertEquals(0, nabla("train", "--out", dir.toString(), "--epochs", "1", "--backend", "cpu").exit());
        Path ck = dir.resolve("model.safetensors");

        Tensor rows = Tensor.zeros(3, 64);
        rows.data()[2 * 64 + 16] = Float.NaN;  // row 3, column 17
        Path input = dir.resolve("rows.npy");
        Npy.write(input, rows);
        Result r = nabla("predict", "--checkpoint", ck.toString(), "--input", input.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals("nabla predict: --input " + input + " [3, 64]: row 3, column 17 is NaN; only finite numbers can be used",
                r.err().strip());

        Checkpoint real = Checkpoint.read(ck);
        Map<String, Tensor> tensors = new LinkedHashMap<>(real.tensors());
        Tensor w = tensors.get("2.weight").copy();
        w.data()[w.offset() + 5 * 64 + 7] = Float.POSITIVE_INFINITY;  // row 6, column 8 of [10, 64]
        tensors.put("2.weight", w);
        Path bad = dir.resolve("bad.safetensors");
        new Checkpoint(tensors, real.metadata()).write(bad);
        for (String command : new String[] {"predict", "eval"}) {
            Result b = nabla(command, "--checkpoint", bad.toString());
            assertEquals(1, b.exit(), b.out() + b.err());
            assertTrue(b.err().contains(bad + ": tensor '2.weight' [10, 64]: row 6, column 8 is Infinity"), b.err());
            assertEquals("", b.out());
        }
    }
}
