package app.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --tensorboard}: every per-epoch scalar in the event file equals (as a float32) the
 * same figure in the {@code --metrics} line of the same run, the running loss is there every 20
 * steps, each parameter has weight and gradient histograms, and the confusion matrix and the top losses are PNGs.
 * {@code sentiment train --tensorboard} goes through the same listener: the same check, with its
 * added train_accuracy. (bench/tensorboard_check.py does the same with TensorBoard's own EventAccumulator.)
 */
class TensorBoardTrainTest {
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":([-0-9.Ee]+)");

    @Test
    void theEventFileHoldsTheMetricsOfTheRun(@TempDir Path dir) throws Exception {
        Path metrics = dir.resolve("m.jsonl"), board = dir.resolve("tb");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"train", "--epochs", "3", "--out", dir.resolve("out").toString(),
            "--metrics", metrics.toString(), "--tensorboard", board.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        Path file;
        try (Stream<Path> files = Files.list(board)) {
            file = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
        Map<String, Float> scalars = new HashMap<>();
        int running = 0, histograms = 0;
        Map<String, byte[]> images = new HashMap<>();
        for (EventFileReader.Event e : EventFileReader.read(file)) {
            for (EventFileReader.Value v : e.values()) {
                if (v.simple() != null && v.tag().equals("running_train_loss")) running++;
                else if (v.simple() != null) scalars.put(v.tag() + "@" + e.step(), v.simple());
                if (v.histogramCount() > 0) histograms++;
                if (v.image() != null) images.put(v.tag(), v.image());
            }
        }
        List<String> lines = Files.readAllLines(metrics);
        assertEquals(3, lines.size());
        for (String line : lines) {
            Map<String, Double> m = new HashMap<>();
            Matcher x = NUMBER.matcher(line);
            while (x.find()) m.put(x.group(1), Double.parseDouble(x.group(2)));
            long epoch = Math.round(m.get("epoch"));
            for (String key : new String[] {"train_loss", "val_loss", "val_accuracy", "examples_per_second"}) {
                assertEquals((float) (double) m.get(key), scalars.get(key + "@" + epoch), key + " of epoch " + epoch);
            }
            assertEquals(0.05f, scalars.get("learning_rate@" + epoch), "the default lr, no schedule");
        }
        // digits: 1438 training examples in batches of 32 = 45 steps an epoch, 135 in all: points at 20, 40, ..., 120
        assertEquals(135 / TrainingBoard.EVERY_STEPS, running);
        assertEquals(3 * 4 * 2, histograms, "weights and gradients of 4 parameters, 3 epochs");
        assertEquals(java.util.Set.of("confusion_matrix", "top_losses"), images.keySet());
        for (byte[] png : images.values()) assertEquals((byte) 0x89, png[0]);
        // the top losses: 16 digits, 8 a row
        java.awt.image.BufferedImage grid = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(images.get("top_losses")));
        assertNotNull(grid);
        assertTrue(grid.getWidth() > grid.getHeight(), grid.getWidth() + "x" + grid.getHeight());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("tensorboard: " + file));
    }

    @Test
    void sentimentTrainWritesTheSameFigures(@TempDir Path dir) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"sentiment", "generate", "--out", dir.toString(), "--reviews", "600", "--seed", "3"}, quiet, quiet));
        Path metrics = dir.resolve("m.jsonl"), board = dir.resolve("tb");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"sentiment", "train", "--reviews", dir.resolve("reviews.txt").toString(), "--labels",
            dir.resolve("labels.txt").toString(), "--epochs", "2", "--batch", "8", "--checkpoint", dir.resolve("s.safetensors").toString(),
            "--metrics", metrics.toString(), "--tensorboard", board.toString(), "--quiet"},
                quiet, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        Path file;
        try (Stream<Path> files = Files.list(board)) {
            file = files.findFirst().orElseThrow();
        }
        Map<String, Float> scalars = new HashMap<>();
        for (EventFileReader.Event e : EventFileReader.read(file)) {
            for (EventFileReader.Value v : e.values()) if (v.simple() != null) scalars.put(v.tag() + "@" + e.step(), v.simple());
        }
        List<String> lines = Files.readAllLines(metrics);
        assertEquals(2, lines.size());
        for (String line : lines) {
            Map<String, Double> m = new HashMap<>();
            Matcher x = NUMBER.matcher(line);
            while (x.find()) m.put(x.group(1), Double.parseDouble(x.group(2)));
            long epoch = Math.round(m.get("epoch"));
            for (String key : new String[] {"train_loss", "val_loss", "val_accuracy", "learning_rate", "examples_per_second", "train_accuracy"}) {
                assertEquals((float) (double) m.get(key), scalars.get(key + "@" + epoch), key + " of epoch " + epoch);
            }
        }
    }

    @Test
    void tuneWritesARunFolderPerTrial(@TempDir Path dir) throws Exception {
        Path board = dir.resolve("tb");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int exit = Main.run(new String[] {"tune", "--space", "lr=log:1e-2:0.5; momentum=0,0.9", "--trials", "3", "--max-epochs", "2",
            "--subset", "400", "--scheduler", "random", "--out", dir.resolve("tune").toString(), "--tensorboard", board.toString()},
                quiet, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        Map<String, Float> logged = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("tune/results.jsonl"))) {
            Matcher trial = Pattern.compile("\"trial\":(\\d+)").matcher(line), loss = Pattern.compile("\"epoch\":(\\d+).*\"val_loss\":([-0-9.Ee]+)").matcher(line);
            if (trial.find() && loss.find()) logged.put(trial.group(1) + "@" + loss.group(1), (float) Double.parseDouble(loss.group(2)));
        }
        assertEquals(6, logged.size(), logged.toString());
        for (int t = 0; t < 3; t++) {
            Path file;
            try (Stream<Path> files = Files.list(board.resolve("trial-" + t))) {
                file = files.findFirst().orElseThrow();
            }
            for (EventFileReader.Event e : EventFileReader.read(file)) {
                for (EventFileReader.Value v : e.values()) {
                    if (v.tag().equals("val_loss")) assertEquals(logged.get(t + "@" + e.step()), v.simple(), "trial " + t + " epoch " + e.step());
                }
            }
        }
    }
}
