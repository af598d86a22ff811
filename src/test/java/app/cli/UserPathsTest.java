package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.cli.TrainCommandTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17's file rows: every path is checked up front and the message says why it cannot be used. */
class UserPathsTest {
    @TempDir Path dir;

    private static void failsWith(Result r, String expected) {
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertFalse(r.out().contains("epoch 1/"), "failed only after training began: " + r.out());
    }

    @Test
    void aMissingCheckpointOrInputSaysSo() {
        String missing = dir.resolve("nope.safetensors").toString();
        failsWith(nabla("eval", "--checkpoint", missing), "--checkpoint " + missing + ": no such file or folder");
        failsWith(nabla("predict", "--checkpoint", missing), "--checkpoint " + missing + ": no such file or folder");
        failsWith(nabla("top-losses", "--checkpoint", missing, "--out", dir.toString()), "--checkpoint " + missing + ": no such file or folder");
        failsWith(nabla("train", "--resume", missing, "--out", dir.toString()), "--resume " + missing + ": no such file or folder");
    }

    @Test
    void aFolderGivenAsAFileSaysSo() {
        failsWith(nabla("eval", "--checkpoint", dir.toString()), "--checkpoint " + dir + ": is a folder, not a file");
        failsWith(nabla("train", "--resume", dir.toString(), "--out", dir.toString()), "--resume " + dir + ": is a folder, not a file");
    }

    @Test
    void aNamedPipeIsRefusedWithoutHanging() throws Exception {
        Path fifo = dir.resolve("model.safetensors");
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            mk = null;
        }
        assumeTrue(mk != null && mk.waitFor() == 0, "mkfifo is not available");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (String command : new String[] {"eval", "predict"}) {
                failsWith(nabla(command, "--checkpoint", fifo.toString()),
                        "--checkpoint " + fifo + ": is not a regular file (a named pipe, a device or a socket)");
            }
            failsWith(nabla("train", "--resume", fifo.toString(), "--out", dir.toString()), "is not a regular file");
            Path csvPipe = dir.resolve("data.csv");
            new ProcessBuilder("mkfifo", csvPipe.toString()).start().waitFor();
            failsWith(nabla("train", "--data", csvPipe.toString(), "--out", dir.resolve("out").toString()), "--data " + csvPipe + ": is not a regular file");
        });
    }

    @Test
    void anUnreadableCheckpointSaysPermissionDenied() throws IOException {
        Path locked = Files.writeString(dir.resolve("locked.safetensors"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeTrue(!Files.isReadable(locked), "running as root: every file is readable");
        failsWith(nabla("eval", "--checkpoint", locked.toString()), "permission denied");
    }

    @Test
    void anOutputFolderThatCannotBeWrittenFailsBeforeTheFirstEpoch() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc");
        failsWith(nabla("train", "--out", "/proc/nabla", "--epochs", "1"), "--out /proc/nabla: cannot create the folder: ");
        failsWith(nabla("train", "--out", dir.toString(), "--checkpoint", "/proc/x", "--epochs", "1"),
                "--checkpoint /proc/x: cannot write in /proc: ");
        failsWith(nabla("train", "--out", dir.toString(), "--metrics", "/proc/m.jsonl", "--epochs", "1"), "--metrics /proc/m.jsonl: cannot write");
        failsWith(nabla("lr-find", "--out", "/proc/nabla"), "--out /proc/nabla: cannot create the folder");
        failsWith(nabla("sentiment", "generate", "--out", "/proc/nabla"), "--out /proc/nabla: cannot create the folder");
    }

    @Test
    void predictChecksItsOutputBeforeReadingTheModel() {
        failsWith(nabla("predict", "--checkpoint", dir.resolve("none.safetensors").toString(), "--probs-out", "/proc/p.npy"),
                "--probs-out /proc/p.npy: cannot write in /proc");
    }
}
