package app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.train.Checkpoint;
import app.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kernels.Warmup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;
import tensor.io.Json;

/** The {@code nabla} commands run in-process through {@link Main#run}, as a user runs them. */
class TrainCommandTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    /** {@code train ...} with {@code --out} in the test's folder: a checkout's own out/ must not change the outcome. */
    String[] inTempOut(String... args) {
        if (!args[0].equals("train")) return args;
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.addAll(1, List.of("--out", dir.resolve("out").toString()));
        return a.toArray(new String[0]);
    }

    /** The command's stdout and stderr together, after checking its exit code. */
    static String run(int exit, String... args) {
        Result r = nabla(args);
        assertEquals(exit, r.exit(), r.out() + r.err());
        return r.out() + r.err();
    }

    static Result nabla(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainWithNoFlagsReachesTheStatedAccuracyOnTheDigits() throws IOException {
        // only --out, so the test writes into its own folder: every training flag is the default
        Result r = nabla("train", "--out", dir.toString());
        assertEquals(0, r.exit(), r.err());
        Matcher m = Pattern.compile("(?m)^test accuracy: (0\\.\\d{4})$").matcher(r.out());
        assertTrue(m.find(), r.out());
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(accuracy >= 0.95, "the issue's bar for the defaults (seed 42): " + accuracy);
        assertTrue(r.out().contains("epoch 20/20: train loss "), r.out());
        assertTrue(r.out().contains("true \\ predicted"), "a confusion matrix: " + r.out());
        byte[] png = Files.readAllBytes(dir.resolve("loss.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        Checkpoint ck = Checkpoint.read(dir.resolve("model.safetensors"));
        assertEquals(20, ck.epoch());
        assertEquals(List.of(64, 10), List.of(ck.tensors().get("0.weight").dim(0), ck.tensors().get("2.weight").dim(0)),
                "PyTorch's names and [out, in] layout");
        assertTrue(ck.tensors().containsKey("optimizer.0.weight.momentum_buffer"));

        // eval of the saved model repeats the run's test accuracy to the digit
        Result e = nabla("eval", "--checkpoint", dir.resolve("model.safetensors").toString());
        assertEquals(0, e.exit(), e.err());
        assertTrue(e.out().contains("accuracy: " + m.group(1)), e.out());

        Result p = nabla("predict", "--checkpoint", dir.resolve("model.safetensors").toString(), "--index", "0,7", "--top", "2",
                "--probs-out", dir.resolve("p.npy").toString());
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().startsWith("test #0 (true "), p.out());
        assertEquals(2, p.out().lines().count(), p.out());
        Tensor probs = tensor.io.Npy.read(dir.resolve("p.npy"));
        assertArrayEquals(new int[] {2, 10}, probs.shape());
        double sum = 0;
        for (int j = 0; j < 10; j++) sum += probs.get(0, j);
        // ten float32 softmax probabilities: each rounded at 2^-24 relative, the sum within 10·6e-8 of 1
        assertEquals(1.0, sum, 1e-6);

        // the same two test images given as raw rows in a .npy give the same probabilities, bit for bit
        data.Dataset test = data.Digits.split().test();
        Tensor rows = Tensor.zeros(2, 64);
        rows.row(0).copyFrom(test.features().row(0));
        rows.row(1).copyFrom(test.features().row(7));
        tensor.io.Npy.write(dir.resolve("x.npy"), rows);
        Result pi = nabla("predict", "--checkpoint", dir.resolve("model.safetensors").toString(), "--input", dir.resolve("x.npy").toString(),
                "--probs-out", dir.resolve("q.npy").toString());
        assertEquals(0, pi.exit(), pi.err());
        assertTrue(pi.out().startsWith("input 0: "), pi.out());
        assertTrue(Arrays.equals(probs.data(), tensor.io.Npy.read(dir.resolve("q.npy")).data()));

        Result t = nabla("top-losses", "--checkpoint", dir.resolve("model.safetensors").toString(), "--top", "5", "--out", dir.toString());
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("    5 "), t.out());
        assertTrue(Files.size(dir.resolve("top-losses.png")) > 100);
    }

    @Test
    void resumeThroughTheCommandLineEqualsTheUninterruptedRunBitwise() throws IOException {
        String[] flags = {"--model", "64-24-10", "--dropout", "0.1", "--batchnorm", "--lr-decay", "exp:0.8", "--seed", "5", "--batch", "64"};
        Path straight = dir.resolve("straight.safetensors");
        Path part = dir.resolve("part.safetensors");
        assertEquals(0, nabla(concat(flags, "train", "--epochs", "3", "--checkpoint", straight.toString(), "--out", dir.toString())).exit());
        assertEquals(0, nabla(concat(flags, "train", "--epochs", "1", "--checkpoint", part.toString(), "--out", dir.toString())).exit());
        // no --checkpoint: a resumed run goes on saving to the file it was resumed from
        Result r = nabla("train", "--resume", part.toString(), "--epochs", "3", "--out", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("resumed: " + part + " after epoch 1"), r.out());
        assertEquals(3, Checkpoint.read(part).epoch());
        Map<String, Tensor> a = Checkpoint.read(straight).tensors();
        Map<String, Tensor> b = Checkpoint.read(part).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertTrue(Arrays.equals(a.get(k).data(), b.get(k).data()), k + " differs");
    }

    private static String[] concat(String[] flags, String... first) {
        String[] all = Arrays.copyOf(first, first.length + flags.length);
        System.arraycopy(flags, 0, all, first.length, flags.length);
        return all;
    }

    @Test
    void metricsAreOneJsonObjectPerEpoch() throws Exception {
        Path metrics = dir.resolve("m.jsonl");
        Result r = nabla("train", "--epochs", "2", "--model", "64-8-10", "--metrics", metrics.toString(), "--out", dir.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> lines = Files.readAllLines(metrics);
        assertEquals(2, lines.size());
        Map<?, ?> first = (Map<?, ?>) Json.parse(lines.get(0));
        assertEquals(List.of("epoch", "steps", "train_loss", "val_loss", "val_accuracy", "learning_rate", "seconds", "examples_per_second"),
                List.copyOf(first.keySet()));
        // 1,437 training digits in batches of 32: 45 steps an epoch; the learning rate as written, not as a widened float
        assertEquals(45L, first.get("steps"));
        assertEquals(0.05, first.get("learning_rate"));
    }

    @Test
    void badFlagsExitWithTwoAndOneLineThatSaysWhatIsWrong() {
        String[][] cases = {
            {"unknown flag --bogus", "train", "--bogus", "1"},
            {"did you mean --epochs?", "train", "--epoch", "3"},
            {"--lr must be > 0, got 0", "train", "--lr", "0"},
            {"--momentum must be in [0, 1), got 0.99999999, which is 1.0 as a float32", "train", "--momentum", "0.99999999"},
            {"--lr must be > 0, got -0.1", "train", "--lr", "-0.1"},
            {"--lr must be a number, got 'fast'", "train", "--lr", "fast"},
            {"'x' is not a layer size", "train", "--model", "64-x-10"},
            {"needs at least an input and an output size", "train", "--model", "64"},
            {"takes 784 inputs but digits/train has 64 features", "train", "--model", "784-10"},
            {"has 5 outputs but digits/train has 10 classes", "train", "--model", "64-5"},
            {"--activation must be one of sigmoid|tanh|relu|leaky-relu, got 'softplus'", "train", "--activation", "softplus"},
            {"--loss must be one of", "train", "--loss", "kl"},
            {"--momentum must be in [0, 1), got 1", "train", "--momentum", "1"},
            {"--lr-decay: lr decay 'cosine' is not of the form", "train", "--lr-decay", "cosine"},
            {"--freeze: must list Linear layer numbers", "train", "--freeze", "first"},
            {"the model has Linear layers 1..2, not 3", "train", "--freeze", "3"},
            {"--epochs needs a value", "train", "--epochs"},
            {"--optimizer must be one of sgd, got 'adam'", "train", "--optimizer", "adam"},
            {"unexpected argument 'digits'", "train", "digits"},
            {"--split must be one of test|validation|train", "eval", "--split", "dev"},
            {"--end must be larger than --start", "lr-find", "--start", "1", "--end", "0.1"},
            {"--momentum must be in [0, 1), got 1.5", "lr-find", "--momentum", "1.5"},
            {"--batch must be", "lr-find", "--batch", "0"},
        };
        for (String[] c : cases) {
            Result r = nabla(inTempOut(Arrays.copyOfRange(c, 1, c.length)));
            assertEquals(2, r.exit(), String.join(" ", c) + " → " + r.err());
            assertTrue(r.err().contains(c[0]), "expected '" + c[0] + "' in: " + r.err());
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void failuresExitWithOneAndAClearLine() {
        Result missing = nabla("eval", "--checkpoint", dir.resolve("nope.safetensors").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("nabla eval: ") && missing.err().contains("nope.safetensors"), missing.err());
        assertEquals(1, missing.err().lines().count(), missing.err());
        Result badData = nabla(inTempOut("train", "--data", dir.resolve("none.csv").toString()));
        assertEquals(1, badData.exit());
        assertTrue(badData.err().contains("--data " + dir.resolve("none.csv") + ": no such file or folder"), badData.err());
        Result unknown = nabla(inTempOut("train", "--data", "imagenet"));
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("unknown dataset"), unknown.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("train", "eval", "predict", "lr-find", "top-losses", "gradcheck", "trace", "info")) {
            Result r = nabla(cmd, "--help");
            assertEquals(0, r.exit(), cmd + ": " + r.err());
            assertTrue(r.out().startsWith("usage: ./nabla " + cmd), cmd + ": " + r.out());
        }
        String train = nabla("train", "--help").out();
        for (String flag : List.of("--data", "--model", "--activation", "--loss", "--optimizer", "--lr", "--momentum", "--l1", "--l2",
                "--dropout", "--batchnorm", "--init", "--batch", "--epochs", "--lr-decay", "--early-stopping", "--freeze", "--seed",
                "--threads", "--checkpoint", "--resume", "--out", "--metrics", "--val-split")) {
            assertTrue(train.contains("  " + flag + " ") || train.contains("  " + flag + "\n"), flag + " in train --help");
        }
        assertTrue(train.contains("validate on the test set unless --val-split is given"), train);
        Result top = nabla("--help");
        assertEquals(0, top.exit());
        for (String cmd : List.of("train", "eval", "predict", "lr-find", "top-losses", "gradcheck", "trace")) {
            assertTrue(top.out().contains("  " + cmd + " "), cmd + " listed: " + top.out());
        }
    }

    @Test
    void gradcheckPassesAndTracePrintsTheDerivationsNames() {
        Result g = nabla("gradcheck", "--model", "64-6-10", "--activation", "sigmoid", "--batchnorm", "--examples", "3");
        assertEquals(0, g.exit(), g.out() + g.err());
        assertTrue(g.out().contains("gradient check passed"), g.out());
        Result t = nabla("trace", "--model", "64-3-10", "--loss", "mse");
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("hidden_error_term") && t.out().contains("delta weights dense0.weight"), t.out());
    }

    @Test
    void lrFindSuggestsARateAndDrawsIt() throws IOException {
        Result r = nabla("lr-find", "--model", "64-16-10", "--steps", "120", "--out", dir.toString());
        assertEquals(0, r.exit(), r.err());
        Matcher m = Pattern.compile("suggested learning rate: ([0-9.e-]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double lr = Double.parseDouble(m.group(1));
        assertTrue(lr > 1e-6 && lr < 10, "inside the range tested: " + lr);
        assertTrue(Files.size(dir.resolve("lr-find.png")) > 100);
    }

    @Test
    void moreThreadsThanProcessorsRunOnAsManyAsThereAreAndSaySo() {
        int cpus = Runtime.getRuntime().availableProcessors();
        int before = kernels.ThreadPool.get().threads();
        try {
            Result r = nabla("train", "--epochs", "1", "--threads", String.valueOf(cpus + 1), "--out", dir.resolve("many").toString());
            assertEquals(0, r.exit(), r.err());
            String plural = cpus == 1 ? "" : "s";
            assertTrue(r.err().contains("--threads " + (cpus + 1) + ": this JVM can use " + cpus + " processor" + plural + ", so " + cpus
                    + " thread" + plural + " (more would only wait on each other; the results are the same)"), r.err());
            assertTrue(r.out().contains(", seed 42, " + cpus + " thread" + plural + "\n"), r.out());
            assertEquals(cpus, kernels.ThreadPool.get().threads());
            Result exact = nabla("info", "--threads", String.valueOf(cpus));
            assertFalse(exact.err().contains("this JVM can use"), exact.err());
            assertTrue(exact.out().contains("threads: " + cpus + " (--threads)"), exact.out());
        } finally {
            kernels.ThreadPool.setThreads(before);
        }
    }

    @Test
    void versionPluralsAndBoundsReadAsAUserExpects() {
        Result v = nabla("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("nabla ") && v.out().contains("java "), v.out());
        Result one = nabla("train", "--epochs", "1", "--threads", "1", "--out", dir.resolve("one").toString());
        assertEquals(0, one.exit(), one.err());
        assertTrue(one.out().contains(", 1 epoch, seed 42, 1 thread\n"), one.out());
        // info takes --threads as every command does (it used to say -Dnabla.threads=N and refuse the flag)
        int threads = kernels.ThreadPool.get().threads();
        try {
            Result info = nabla("info", "--threads", "1");
            assertEquals(0, info.exit(), info.err());
            assertTrue(info.out().contains("threads: 1 (--threads)"), info.out());
        } finally {
            kernels.ThreadPool.setThreads(threads);
        }
        assertEquals(2, nabla("info", "extra").exit());
        Result lr = nabla("train", "--lr", "0", "--out", dir.resolve("lr").toString());
        assertTrue(lr.err().contains("--lr must be > 0, got 0"), "not the long 9223372036854775807: " + lr.err());
    }

    /** The warm-up compiles only the model's own activation loops, and all of them for a --from body. */
    @Test
    void warmUpFollowsTheModelsActivation() {
        TrainConfig base = TrainConfig.defaults();
        assertEquals(EnumSet.of(Warmup.Activation.SIGMOID), TrainCommand.warmupActivations(base.toBuilder().activation("sigmoid").build()));
        assertEquals(EnumSet.of(Warmup.Activation.TANH), TrainCommand.warmupActivations(base.toBuilder().activation("tanh").build()));
        for (String relu : List.of("relu", "leaky-relu")) {
            assertEquals(EnumSet.of(Warmup.Activation.LEAKY_RELU), TrainCommand.warmupActivations(base.toBuilder().activation(relu).build()));
        }
        assertEquals(EnumSet.allOf(Warmup.Activation.class),
                TrainCommand.warmupActivations(base.toBuilder().activation("sigmoid").from("body.safetensors").build()));
    }
}
