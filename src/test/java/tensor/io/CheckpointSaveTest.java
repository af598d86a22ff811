package tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import app.train.Checkpoint;
import app.train.SavedModel;
import app.train.TrainConfig;
import app.train.Training;
import data.Digits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training checkpoint whose save is cut off half-way (a full disk, a killed process) leaves the
 * previous checkpoint loadable and resumable. In tensor.io because the failure is injected into
 * SafeTensors' package-private writer; the checkpoint is a real one from a training run.
 */
class CheckpointSaveTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedCheckpointSaveLeavesThePreviousOneLoadable() throws IOException {
        TrainConfig c = TrainConfig.defaults().withModel("64-16-10").withEpochs(2);
        Training run = Training.start(c, Digits.split());
        run.trainEpoch();
        Path file = dir.resolve("model.safetensors");
        run.checkpoint().write(file);
        byte[] before = Files.readAllBytes(file);

        run.trainEpoch();
        Checkpoint second = run.checkpoint();
        long half = before.length / 2;
        IOException e = assertThrows(IOException.class,
                () -> SafeTensors.write(file, second.tensors(), second.metadata(), ch -> new FailingChannel(ch, half)));
        assertEquals("cannot write " + file.toAbsolutePath() + ": simulated crash mid-save (the previous file is kept)", e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file), "the epoch-1 checkpoint is untouched");
        assertEquals(1, Checkpoint.read(file).epoch());
        SavedModel.load(file); // loads as a model
        Training resumed = Training.resume(c, Digits.split(), Checkpoint.read(file)); // and resumes
        assertEquals(1, resumed.epoch());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file left behind");
        }
    }
}
