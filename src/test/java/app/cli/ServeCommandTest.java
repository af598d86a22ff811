package app.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla serve}'s flags refuse what cannot be served before a port is opened. */
class ServeCommandTest {
    @TempDir
    Path dir;

    private static String run(int exit, String... args) {
        return TrainCommandTest.run(exit, args);
    }

    @Test
    void badFlagsSayWhat() throws Exception {
        Path ck = dir.resolve("m.safetensors");
        run(0, "train", "--epochs", "1", "--checkpoint", ck.toString(), "--out", dir.toString());
        assertTrue(run(2, "serve", "--checkpoint", "a=" + ck, "--checkpoint", "a=" + ck).contains("two checkpoints are named 'a'"));
        assertTrue(run(2, "serve", "--checkpoint", "a b=" + ck).contains("must be letters"));
        assertTrue(run(2, "serve", "--checkpoint", ck.toString(), "--checkpoint", "b=" + ck, "--name", "x").contains("--name names a single"));
        assertTrue(run(1, "serve", "--checkpoint", dir.resolve("missing.safetensors").toString()).contains("missing.safetensors"));
        assertTrue(run(2, "serve", "--checkpoint", ck.toString(), "--max-batch", "0").contains("--max-batch"));
        assertTrue(run(0, "serve", "--help").contains("/v2/models/{name}/infer"));
    }
}
