package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.TrainCommandTest.Result;
import app.train.Checkpoint;
import data.MemoryLimit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's memory rows: sizes the input controls (a label, a CSV's columns, --model, a checkpoint's
 * metadata) are refused in one line naming the figure and the limit, before they are allocated.
 * The limit is fixed at 1 GiB here so the answers do not depend on this machine's heap.
 */
class MemoryBudgetCliTest {
    @TempDir Path dir;

    @BeforeEach
    void limit() {
        System.setProperty(MemoryLimit.PROPERTY, "1g");
    }

    @AfterEach
    void noLimit() {
        System.clearProperty(MemoryLimit.PROPERTY);
    }

    /** A CSV of rows "f1,f2,label" with labels 0 and 1 and one row labelled {@code odd}. */
    private Path csvWithOneLabel(String odd) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) sb.append(i * 0.1).append(',').append(1 - i * 0.05).append(',').append(i % 2).append('\n');
        sb.append("0.5,0.5,").append(odd).append('\n');
        return Files.writeString(dir.resolve("odd.csv"), sb);
    }

    private static void refusedInOneLine(Result r, String... expected) {
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        for (String e : expected) assertTrue(r.err().contains(e), "expected '" + e + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void aLabelOf40000IsRefusedForItsConfusionMatrix() throws IOException {
        Result r = nabla("train", "--data", csvWithOneLabel("40000").toString(), "--out", dir.toString(), "--epochs", "1");
        refusedInOneLine(r, "confusion matrix of 40,001 classes: 11.9 GiB", "but the limit is 1.0 GiB");
    }

    @Test
    void aLabelOf65535IsRefusedNotAnIndexOutOfBounds() throws IOException {
        Result r = nabla("train", "--data", csvWithOneLabel("65535").toString(), "--out", dir.toString(), "--epochs", "1");
        refusedInOneLine(r, "confusion matrix of 65,536 classes: 32.0 GiB", "but the limit is 1.0 GiB");
    }

    @Test
    void aCsvOfTwoMillionColumnsIsRefusedBeforeTheModelIsBuilt() throws IOException {
        int columns = 2_000_000;
        StringBuilder sb = new StringBuilder(4 * columns + 8);
        for (int row = 0; row < 2; row++) {
            for (int c = 0; c < columns; c++) sb.append(c % 2 == row ? '1' : '0').append(',');
            sb.append(row).append('\n');
        }
        Path wide = Files.writeString(dir.resolve("wide.csv"), sb);
        Result r = nabla("train", "--data", wide.toString(), "--out", dir.toString(), "--epochs", "1");
        refusedInOneLine(r, "model 2000000-64-2 needs about", "128,000,194 parameters", "but the limit is 1.0 GiB");
    }

    @Test
    void aHugeModelFlagIsRefusedBeforeAllocation() {
        Result r = nabla("train", "--model", "64-20000-20000-10", "--out", dir.toString(), "--epochs", "1");
        refusedInOneLine(r, "model 64-20000-20000-10 needs about", "401,520,010 parameters × 3 copies: 4.5 GiB", "but the limit is 1.0 GiB");
    }

    @Test
    void aCheckpointWhoseMetadataClaimsAHugeModelIsRefusedByEvalAndPredict() throws IOException {
        assertEquals(0, nabla("train", "--out", dir.toString(), "--epochs", "1").exit());
        Checkpoint real = Checkpoint.read(dir.resolve("model.safetensors"));
        Map<String, String> meta = new LinkedHashMap<>(real.metadata());
        meta.put("model", "64-30000-30000-10");
        Path forged = dir.resolve("forged.safetensors");
        new Checkpoint(real.tensors(), meta).write(forged);
        for (String command : new String[] {"eval", "predict"}) {
            Result r = nabla(command, "--checkpoint", forged.toString());
            refusedInOneLine(r, forged + ": model 64-30000-30000-10 needs about", "but the limit is 1.0 GiB");
        }
    }
}
