package app.cli;

import app.metrics.Metrics;
import app.train.Evaluator;
import app.train.Finite;
import app.train.SavedModel;
import data.Dataset;
import data.ImageFolder;
import data.ImageShape;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import tensor.Tensor;
import tensor.io.Npy;

/** {@code nabla predict}: the top-k classes and their probabilities for some inputs, from a checkpoint. */
final class PredictCommand implements Main.Command {
    static Flags flags() {
        return Common.savedModelFlags(new Flags("./nabla predict [flags]",
                "Classifies inputs with a saved model and prints the k most probable classes of each.")
                .flag("input", "FILE.npy", null, "float32 inputs [n, features] or [features], raw as the dataset gives them "
                        + "(pixels in [0, 1]); the model's normalization is applied")
                .flag("image", "FILE", null, "a PNG or JPEG image, prepared as training prepared its images (resized to the model's "
                        + "input, gray or RGB, [0, 1]); repeat for several")
                .repeatable("image")
                .flag("index", "I,J,..", "0,1,2,3,4", "without --input or --image: these examples of the test set of --data")
                .flag("top", "K", "3", "how many classes to show per input")
                .flag("probs-out", "FILE.npy", null, "also write every class probability [n, classes] as float32 .npy")
                .note("Probabilities: softmax of the logits (ce, hinge), exp of the log-probabilities (nll), the Softmax output (mse, sse, l1),\n"
                        + "or each class's sigmoid (bce, which need not sum to 1)."), "the model");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        int top = f.getInt("top", 1, 1000);
        Common.applyThreads(f, err);
        if (f.given("probs-out")) UserPaths.outputFile("--probs-out", Path.of(f.get("probs-out")));
        SavedModel model = SavedModel.load(UserPaths.input("--checkpoint", f.get("checkpoint")));
        int d = model.spec().inputs();
        Tensor raw;
        int[] labels = null;
        int[] indexes = null;
        List<String> images = f.getAll("image");
        if (!images.isEmpty()) {
            if (f.given("input")) throw new Main.UsageException("give --input or --image, not both");
            ImageShape shape = model.imageShape().orElseThrow(() -> new IllegalArgumentException(
                    "the model " + model.spec().modelString() + " was not trained on images (its checkpoint has no image_shape); use --input"));
            if (shape.size() != d) throw new IllegalArgumentException("the model takes " + d + " inputs, not an image of " + shape);
            raw = Tensor.zeros(images.size(), d);
            for (int i = 0; i < images.size(); i++) {
                Path p = UserPaths.input("--image", images.get(i));
                ImageFolder.toRow(Files.readAllBytes(p), p.toString(), shape, raw.data(), i * d);
            }
        } else if (f.given("input")) {
            Path p = UserPaths.input("--input", f.get("input"));
            Tensor t = Npy.read(p);
            if (t.rank() == 1) t = t.reshape(1, t.dim(0));
            if (t.rank() != 2 || t.dim(1) != d) {
                throw new IllegalArgumentException(p + " holds " + Arrays.toString(t.shape()) + " but the model takes [n, " + d + "]");
            }
            raw = t.copy();
            Finite.require("--input " + p, raw);
        } else {
            Dataset test = EvalCommand.pick(model, f, "test");
            indexes = parseIndexes(f.get("index"), test.size());
            labels = new int[indexes.length];
            raw = Tensor.zeros(indexes.length, d);
            for (int i = 0; i < indexes.length; i++) {
                System.arraycopy(test.features().data(), test.features().offset() + indexes[i] * d, raw.data(), i * d, d);
                labels[i] = test.labels()[indexes[i]];
            }
        }
        for (int r = 0; r < raw.dim(0); r++) model.normalization().apply(raw.data(), r * d);
        Tensor probs = Evaluator.probabilities(model.spec(), model.network(), raw);
        List<String> names = model.classes();
        for (int r = 0; r < probs.dim(0); r++) {
            StringBuilder sb = new StringBuilder();
            sb.append(indexes != null ? "test #" + indexes[r] + " (true " + label(names, labels[r]) + ")"
                    : !images.isEmpty() ? images.get(r) : "input " + r).append(": ");
            int[] best = Metrics.topClasses(probs, r, top);
            for (int j = 0; j < best.length; j++) {
                sb.append(j == 0 ? "" : ", ").append(label(names, best[j])).append(String.format(Locale.ROOT, " %.4f", probs.get(r, best[j])));
            }
            out.println(sb);
        }
        if (f.given("probs-out")) Npy.write(Path.of(f.get("probs-out")), probs);
        return 0;
    }

    private static String label(List<String> names, int c) {
        String n = names.get(c);
        return n.equals(Integer.toString(c)) ? n : c + " " + n;
    }

    static int[] parseIndexes(String s, int size) {
        String[] parts = s.split(",");
        int[] idx = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                idx[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new Main.UsageException("--index must list example numbers, e.g. 0,5,17; got '" + s + "'");
            }
            if (idx[i] < 0 || idx[i] >= size) throw new Main.UsageException("--index " + idx[i] + " is outside the test set's 0.." + (size - 1));
        }
        return idx;
    }
}
