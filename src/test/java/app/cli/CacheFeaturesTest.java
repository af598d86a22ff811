package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.train.Checkpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --cache-features}: the head trained on the frozen body's cached outputs is the head trained through the body. */
class CacheFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void theCachedRunEndsWithTheSameWeightsAsTheRunThroughTheBody() throws Exception {
        String[] common = {"train", "--model", "64-32-16-10", "--freeze", "1,2", "--epochs", "3", "--backend", "cpu"};
        TrainCommandTest.Result plain = nabla(concat(common, "--out", dir.resolve("plain").toString()));
        assertEquals(0, plain.exit(), plain.err());
        TrainCommandTest.Result cached = nabla(concat(common, "--cache-features", "--out", dir.resolve("cached").toString()));
        assertEquals(0, cached.exit(), cached.err());
        assertTrue(cached.out().contains("the head trains on the frozen body's 16 cached outputs per example"), cached.out());
        Checkpoint a = Checkpoint.read(dir.resolve("plain/model.safetensors"));
        Checkpoint b = Checkpoint.read(dir.resolve("cached/model.safetensors"));
        for (String t : new String[] {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}) {
            assertArrayEquals(a.tensors().get(t).data(), b.tensors().get(t).data(), t);
        }
    }

    @Test
    void aBodyThatTrainsOrHasDropoutIsRefused() {
        TrainCommandTest.Result r = nabla("train", "--cache-features", "--out", dir.resolve("x").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--cache-features needs a frozen body"), r.err());
        r = nabla("train", "--cache-features", "--freeze", "1", "--dropout", "0.2", "--out", dir.resolve("y").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("the frozen body has dropout (dropout2)"), r.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
