package app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.Json;

class ProgressTest {
    /** A clock the test moves by hand. */
    private static final class FakeClock {
        long nanos;
        long get() { return nanos; }
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void terminalRedrawsOneLineInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FakeClock clock = new FakeClock();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, clock::get, ProgressBar.PLAIN_INTERVAL_NANOS);
        bar.start("epoch 1/3", 4);
        clock.nanos = 50_000_000L; // 0.05 s: too soon to redraw
        bar.update(1, 64, 2.0);
        assertEquals("", text(bytes));
        clock.nanos = 1_000_000_000L; // 1 s, 2 of 4 batches, 128 examples
        bar.update(2, 128, 1.23456);
        assertEquals("\repoch 1/3 [===========>            ] 2/4  loss 1.2346  128 ex/s  ETA 0:01", text(bytes));
        bytes.reset();
        clock.nanos = 1_010_000_000L; // the last batch always draws
        bar.update(4, 200, 0.5);
        String last = text(bytes);
        assertTrue(last.startsWith("\repoch 1/3 [========================] 4/4  loss 0.5000  198 ex/s  ETA 0:00"), last);
        bytes.reset();
        bar.finish();
        String erase = text(bytes);
        assertTrue(erase.matches("\r +\r"), "the bar is erased for the summary line: " + erase.replace("\r", "\\r"));
    }

    @Test
    void plainOutputPrintsPeriodicLines() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FakeClock clock = new FakeClock();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, clock::get, 10_000_000_000L);
        bar.start("epoch 2/5", 100);
        for (int b = 1; b <= 100; b++) {
            clock.nanos = b * 500_000_000L; // half a second a batch, 32 examples each
            bar.update(b, 32L * b, 1.0 / b);
        }
        bar.finish();
        String[] lines = text(bytes).split("\n");
        // 50 s in all, a line every 10 s: at 10, 20, 30, 40 s; the last batch is left to the epoch summary.
        assertEquals(4, lines.length, text(bytes));
        assertEquals("epoch 2/5: 20/100 batches, loss 0.0500, 64 ex/s, ETA 0:40", lines[0]);
        assertTrue(!text(bytes).contains("\r"), "no carriage returns in a log file");
    }

    @Test
    void clockFormat() {
        assertEquals("0:07", ProgressBar.clock(7.4));
        assertEquals("2:05", ProgressBar.clock(125));
        assertEquals("1:01:01", ProgressBar.clock(3661));
        assertEquals("?", ProgressBar.clock(Double.NaN));
    }

    @TempDir Path dir;

    @Test
    void metricsAreOneJsonObjectPerLine() throws Exception {
        StringWriter w = new StringWriter();
        MetricsLog log = new MetricsLog(w);
        log.write(new EpochMetrics(1, 23, 0.5, 0.25, 0.875, 0.125, 2.5, 400.0));
        log.write(new EpochMetrics(2, 46, 0.125, Double.NaN, Double.NaN, 0.0625, 1.0, 1000.0, Map.of("train_accuracy", 0.75)));
        String[] lines = w.toString().split("\n");
        assertEquals(2, lines.length);
        assertEquals("{\"epoch\":1,\"steps\":23,\"train_loss\":0.5,\"val_loss\":0.25,\"val_accuracy\":0.875,\"learning_rate\":0.125,"
                + "\"seconds\":2.5,\"examples_per_second\":400.0}", lines[0]);
        Map<?, ?> second = (Map<?, ?>) Json.parse(lines[1]);
        assertEquals(List.of("epoch", "steps", "train_loss", "val_loss", "val_accuracy", "learning_rate", "seconds", "examples_per_second",
                "train_accuracy"), List.copyOf(second.keySet()), "the one schema, then what a command adds");
        assertEquals(null, second.get("val_loss"), "no validation set: null, not NaN (JSON has no NaN)");

        Path f = dir.resolve("runs/metrics.jsonl");
        try (MetricsLog file = MetricsLog.open(f)) {
            file.write(new EpochMetrics(1, 23, 0.5, 0.25, 0.875, 0.125, 2.5, 400.0, Map.of("train_accuracy", 0.75)));
            // flushed per line: readable before close
            assertEquals(1, Files.readAllLines(f).size());
        }
        List<EpochMetrics> back = MetricsLog.read(f);
        assertEquals(new EpochMetrics(1, 23, 0.5, 0.25, 0.875, 0.125, 2.5, 400.0, Map.of("train_accuracy", 0.75)), back.get(0));
    }

    @Test
    void summaryLine() throws IOException {
        assertEquals("epoch 3: train loss 0.4312, val loss 0.4521, val accuracy 0.8412, 2.31 s (26000 ex/s)",
                new EpochMetrics(3, 90, 0.43118, 0.45209, 0.84123, 0.1, 2.3125, 26000.2).summary());
        assertEquals("epoch 1: train loss 1.0000, 1.00 s (10 ex/s)", new EpochMetrics(1, 30, 1, Double.NaN, Double.NaN, 0.1, 1, 10).summary());
    }
}
