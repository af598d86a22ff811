package app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla sentiment ...} end to end through {@link Main#run}, and its exit codes: 0, 2 for usage, 1 for bad data. */
class SentimentCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void generate() {
        assertEquals(0, run("sentiment", "generate", "--out", dir.toString(), "--reviews", "1500", "--seed", "3").code);
        assertEquals(0, run("sentiment", "generate", "--out", dir.toString(), "--reviews", "300", "--seed", "4", "--tsv").code);
    }

    @Test
    void trainsPredictsAndListsWords() throws Exception {
        Path ckpt = dir.resolve("s.safetensors"), metrics = dir.resolve("m.jsonl");
        Result train = run("sentiment", "train", "--reviews", dir.resolve("reviews.txt").toString(), "--labels", dir.resolve("labels.txt").toString(),
                "--epochs", "2", "--min-count", "2", "--checkpoint", ckpt.toString(), "--metrics", metrics.toString());
        assertEquals(0, train.code, train.err);
        assertTrue(train.out.contains("corpus: 1500 reviews") && train.out.contains("150 held out"), train.out);
        assertTrue(train.out.contains("epoch 2/2") && train.out.contains("reviews/s") && train.out.contains("saved"), train.out);
        List<String> lines = Files.readAllLines(metrics);
        assertEquals(2, lines.size());
        // the schema of train --metrics, with sentiment's train accuracy after it; the held-out reviews validate
        Map<?, ?> second = (Map<?, ?>) tensor.io.Json.parse(lines.get(1));
        assertEquals(List.of("epoch", "steps", "train_loss", "val_loss", "val_accuracy", "learning_rate", "seconds", "examples_per_second",
                "train_accuracy"), List.copyOf(second.keySet()));
        assertEquals(2L, second.get("epoch"));
        assertEquals(2700L, second.get("steps"), "1,350 training reviews, batch 1, 2 epochs");
        assertTrue((Double) second.get("val_accuracy") >= 0.9, lines.get(1));

        Result predict = run("sentiment", "predict", "--checkpoint", ckpt.toString(), "A superb and charming film", "dull, a waste");
        assertEquals(0, predict.code, predict.err);
        String[] p = predict.out.strip().split("\n");
        assertTrue(p[0].endsWith("positive") && Float.parseFloat(p[0].split(" ")[0]) > 0.9f, predict.out);
        assertTrue(p[1].endsWith("negative") && Float.parseFloat(p[1].split(" ")[0]) < 0.1f, predict.out);

        Result words = run("sentiment", "words", "--checkpoint", ckpt.toString(), "--top", "3");
        assertEquals(0, words.code, words.err);
        String[] w = words.out.strip().split("\n");
        assertEquals(5, w.length, words.out);
        String firstPositive = w[2].trim().split("\\s+")[0], firstNegative = w[2].trim().split("\\s+")[2];
        assertTrue(data.text.SyntheticReviews.POSITIVE_WORDS.contains(firstPositive), words.out);
        assertTrue(data.text.SyntheticReviews.NEGATIVE_WORDS.contains(firstNegative), words.out);
    }

    @Test
    void trainsFromTsvWithSoftmaxAndMomentum() throws IOException {
        Path ckpt = dir.resolve("t.safetensors");
        Result r = run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--epochs", "1", "--output", "softmax",
                "--activation", "relu", "--batch", "8", "--momentum", "0.9", "--l2", "0.0001", "--counts", "--lr-decay", "exp:0.5",
                "--checkpoint", ckpt.toString(), "--quiet");
        assertEquals(0, r.code, r.err);
        assertEquals("", r.out);
        Result p = run("sentiment", "predict", "--checkpoint", ckpt.toString(), "superb");
        assertEquals(0, p.code, p.err);
        assertTrue(p.out.matches("[01]\\.\\d{4} (positive|negative)\\s*"), p.out);

        // no held-out reviews: no validation figures (null in the metrics), not a "diverged" NaN validation loss
        Path noTest = dir.resolve("n.jsonl");
        Result none = run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--epochs", "1", "--test-fraction", "0",
                "--checkpoint", dir.resolve("n.safetensors").toString(), "--metrics", noTest.toString());
        assertEquals(0, none.code, none.err);
        assertTrue(none.out.contains("test loss -  test acc -"), none.out);
        assertTrue(Files.readString(noTest).contains("\"val_loss\":null,\"val_accuracy\":null"), Files.readString(noTest));

        // issue 17: a second run onto the same checkpoint refuses, unless --overwrite
        Result again = run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--epochs", "1", "--checkpoint",
                ckpt.toString(), "--quiet");
        assertEquals(1, again.code);
        assertTrue(again.err.contains(ckpt + " exists and this run did not write it: give --overwrite"), again.err);
        assertEquals(0, run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--epochs", "1", "--checkpoint",
                ckpt.toString(), "--quiet", "--overwrite").code);
    }

    @Test
    void badDataIsExitCodeOneWithTheProblemNamed() throws IOException {
        Path reviews = dir.resolve("reviews.txt");
        Path shortLabels = Files.writeString(dir.resolve("short.txt"), "positive\nnegative\n");
        Result r = run("sentiment", "train", "--reviews", reviews.toString(), "--labels", shortLabels.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("has 1500 lines but") && r.err.contains("short.txt has 2"), r.err);

        Path twoReviews = Files.writeString(dir.resolve("two.txt"), "good\nbad\n");
        Path badLabel = Files.writeString(dir.resolve("bad.txt"), "positive\nmeh\n");
        r = run("sentiment", "train", "--reviews", twoReviews.toString(), "--labels", badLabel.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("bad.txt line 2: unknown label 'meh'"), r.err);

        Path empty = Files.writeString(dir.resolve("empty.tsv"), "");
        r = run("sentiment", "train", "--tsv", empty.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("empty.tsv is empty"), r.err);

        r = run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--min-count", "1000000",
                "--checkpoint", dir.resolve("never.safetensors").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("vocabulary is empty") && r.err.contains("minimum count 1000000"), r.err);
        assertTrue(!Files.exists(dir.resolve("never.safetensors")));

        // issue 17: a one-class corpus trained and reported "test acc 1.0000"; train refuses one, so does sentiment
        Path oneClass = Files.writeString(dir.resolve("one.tsv"), "positive\tgreat film\npositive\tloved it\npositive\tgood fun\n");
        r = run("sentiment", "train", "--tsv", oneClass.toString(), "--checkpoint", dir.resolve("one.safetensors").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("one.tsv holds 3 reviews, all positive; training needs both classes"), r.err);
        assertTrue(!Files.exists(dir.resolve("one.safetensors")));

        r = run("sentiment", "predict", "--checkpoint", reviews.toString(), "text");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("reviews.txt") && r.err.contains("header length"), r.err);
    }

    @Test
    void aHiddenSizeTooBigForTheHeapIsRefusedBeforeAllocation() {
        System.setProperty("nabla.memory.limit", "512m");
        try {
            Result r = run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--hidden", "65536", "--momentum", "0.9",
                    "--checkpoint", dir.resolve("big.safetensors").toString());
            assertEquals(1, r.code, r.err);
            assertTrue(r.err.matches("(?s)nabla sentiment: a sentiment model of [\\d,]+ words × hidden 65536 \\([\\d,]+ weights and their "
                    + "momentum\\) needs about [\\d.]+ MiB of memory but the limit is 512\\.0 MiB.*"), r.err);
            assertEquals(1, r.err.lines().count(), r.err);
        } finally {
            System.clearProperty("nabla.memory.limit");
        }
    }

    @Test
    void theCheckpointDoesNotDependOnThreads() throws IOException {
        int saved = kernels.ThreadPool.get().threads();
        try {
            byte[][] ckpt = new byte[2][];
            for (int t = 1; t <= 2; t++) {
                Path c = dir.resolve("threads" + t + ".safetensors");
                Result r = run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--epochs", "2", "--hidden", "40",
                        "--batch", "64", "--threads", Integer.toString(t), "--checkpoint", c.toString());
                assertEquals(0, r.code, r.err);
                assertTrue(r.out.contains(t == 1 ? "1 thread\n" : "2 threads\n"), r.out);
                ckpt[t - 1] = Files.readAllBytes(c);
            }
            assertArrayEquals(ckpt[0], ckpt[1], "the checkpoints of 1 and 2 threads");
            Result bad = run("sentiment", "train", "--tsv", dir.resolve("reviews.tsv").toString(), "--threads", "0");
            assertEquals(2, bad.code);
            assertTrue(bad.err.contains("--threads must be in 1..1024, got 0"), bad.err);
        } finally {
            kernels.ThreadPool.setThreads(saved);
        }
    }

    @Test
    void badUsageIsExitCodeTwo() {
        assertEquals(2, run("sentiment").code);
        assertEquals(0, run("sentiment", "--help").code);
        Result r = run("sentiment", "train");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--reviews FILE --labels FILE, or --tsv FILE"), r.err);
        r = run("sentiment", "train", "--reviews", "x");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--reviews and --labels go together"), r.err);
        r = run("sentiment", "train", "--tsv", "x", "--epochs", "two");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--epochs must be a whole number, got 'two'"), r.err);
        r = run("sentiment", "train", "--tsv", "x", "--activation", "swish");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("unknown activation 'swish'"), r.err);
        r = run("sentiment", "predict", "text");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--checkpoint is required"), r.err);
        r = run("sentiment", "words", "--checkpoint", "c", "--bogus");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("unknown flag --bogus"), r.err);
        assertEquals(2, run("sentiment", "fly").code);
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
