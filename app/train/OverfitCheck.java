package app.train;

import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
import backprop.Shuffle;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import data.Dataset;
import data.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tensor.Tensor;

/**
 * The tiny-batch check: a model whose code is right can memorize a handful of examples. Trains
 * full-batch steps on {@code n} seeded examples until the loss is below {@link #TARGET}, and when it
 * cannot within the step bound, looks for the usual reasons: a learning rate too high (the loss
 * diverged or rose) or too low (it barely fell), a loss on a saturating output, frozen layers,
 * dead ReLU units, layers whose gradient is zero, dropout's noise.
 */
public final class OverfitCheck {
    public static final double TARGET = 1e-3;
    public static final int MAX_STEPS = 3000;
    static final long PICK_STREAM = 5;
    /** A ReLU layer with at least this share of units silent on every example is reported as dead. */
    static final double DEAD_SHARE = 0.5;

    /** What happened: the step the loss went below the target (0 if never), the first and last losses, the likely causes. */
    public record Result(boolean reached, int steps, double firstLoss, double lastLoss, List<String> causes) {}

    /** The losses the diagnosis reads: the first step's, the one at half the steps, the last. */
    record Losses(double first, int halfStep, double half, double last) {}

    private OverfitCheck() {}

    /** The {@code n} examples of {@code train} the check uses: a seeded draw without replacement. */
    public static Dataset pick(Dataset train, int n, long seed) {
        if (n < 1 || n > train.size()) {
            throw new IllegalArgumentException("overfit batch " + n + " must be in 1.." + train.size() + " (the training examples of "
                    + train.name() + ")");
        }
        int[] all = new int[train.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        Rng rng = new Rng(Rng.mix(seed, PICK_STREAM, 0));
        // the first n places hold a uniform draw without replacement
        Shuffle.firstK(all, all.length, n, rng);
        return train.subset(train.name() + "/overfit-" + n, java.util.Arrays.copyOf(all, n));
    }

    /** Trains the model of {@code config} on {@code n} examples, at most {@code maxSteps} full-batch steps. */
    public static Result run(TrainConfig config, Dataset train, int n, int maxSteps) {
        Dataset batch = pick(train, n, config.seed());
        // one batch of all n examples, no validation split, schedule or early stopping: only the steps
        TrainConfig c = config.toBuilder().batch(n).epochs(1).lrDecay(null).earlyStopping(0).valSplit(0).balance("none").build();
        Training run = Training.start(c, new Dataset.Split(batch, batch));
        return run(run, config, maxSteps);
    }

    /** Steps {@code run} (whose batch holds every example) until the target or {@code maxSteps}. */
    static Result run(Training run, TrainConfig config, int maxSteps) {
        double first = Double.NaN, half = Double.NaN, last = Double.NaN;
        String diverged = null;
        int step = 0;
        while (step < maxSteps) {
            try {
                last = run.stepNextBatch();
            } catch (ArithmeticException e) {
                diverged = e.getMessage();
                break;
            }
            step++;
            if (step == 1) first = last;
            if (step == maxSteps / 2) half = last;
            if (!Double.isFinite(last)) {
                diverged = "step " + step + ": loss " + last;
                break;
            }
            if (last < TARGET) return new Result(true, step, first, last, List.of());
        }
        return new Result(false, step, first, last, causes(run, config, new Losses(first, maxSteps / 2, half, last), diverged));
    }

    /** The likely reasons a model could not memorize its batch, most likely first. */
    static List<String> causes(Training run, TrainConfig config, Losses losses, String diverged) {
        double first = losses.first(), last = losses.last();
        List<String> causes = new ArrayList<>();
        Network net = run.network();
        float lr = run.optimizer().learningRate();
        if (diverged != null) {
            causes.add(String.format(Locale.ROOT, "the loss diverged (%s): the learning rate %s is too high; try --lr %s",
                    diverged.replaceFirst(" \\(learning rate .*\\)$", ""), rate(lr), rate(lr / 10.0)));
        } else if (last > first) {
            causes.add(String.format(Locale.ROOT, "the loss rose from %.4g to %.4g: the learning rate %s is likely too high; try --lr %s",
                    first, last, rate(lr), rate(lr / 10.0)));
        }
        List<Dense> dense = ModelSpec.denseLayers(net);
        List<Integer> frozen = new ArrayList<>();
        for (int k = 0; k < dense.size(); k++) if (dense.get(k).parameters().stream().allMatch(Parameter::frozen)) frozen.add(k + 1);
        if (frozen.size() == dense.size()) {
            causes.add("every Linear layer is frozen (--freeze " + config.freeze() + "): no weight can change");
        } else if (!frozen.isEmpty()) {
            causes.add("Linear layers " + frozen + " are frozen (--freeze " + config.freeze() + "): only the others learn");
        }
        if (diverged == null) {
            for (int k = 0; k < dense.size(); k++) {
                Parameter w = dense.get(k).parameters().get(0);
                if (!w.frozen() && maxAbs(w.gradient()) == 0) {
                    causes.add("the weights of Linear layer " + (k + 1) + " get a zero gradient (its inputs, or the error reaching it, are all zero)");
                }
            }
            deadUnits(run, causes);
        }
        if (!run.spec().indexTargets() && !config.loss().equals("bce")) {
            causes.add("--loss " + config.loss() + " on a Softmax output: its gradient vanishes as the softmax saturates, and it "
                    + "learns slowly; --loss ce (softmax cross-entropy on logits) is the usual pairing for classes");
        }
        if (config.dropout() > 0) {
            causes.add("--dropout " + config.dropout() + " drops units at every step, so the training loss stays noisy: check with --dropout 0");
        }
        boolean learns = frozen.size() < dense.size() && diverged == null && last < first;
        // still falling by a third over the second half of the steps: it needs larger steps, not another model
        if (learns && last < (2.0 / 3) * losses.half()) {
            causes.add(String.format(Locale.ROOT, "the loss was still falling steadily (%.4g at step %d, %.4g at the end): the learning "
                    + "rate %s is likely too low; try --lr %s", losses.half(), losses.halfStep(), last, rate(lr), rate(lr * 10.0)));
        } else if (learns && last > 0.5 * first) {
            causes.add(String.format(Locale.ROOT, "the loss only fell from %.4g to %.4g: the learning rate %s may be too low; try --lr %s",
                    first, last, rate(lr), rate(lr * 10.0)));
        }
        if (causes.isEmpty()) {
            causes.add(String.format(Locale.ROOT, "the loss fell from %.4g to %.4g but not below %s: a larger learning rate, more steps, "
                    + "or a wider model", first, last, TARGET));
        }
        return causes;
    }

    /** ReLU layers whose units are zero for every example of the batch (they pass no gradient, so they never recover). */
    private static void deadUnits(Training run, List<String> causes) {
        Network net = run.network();
        run.loader().startEpoch(0);
        run.loader().next();
        net.forward(run.loader().x(), false);
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof ReLU)) continue;
            Tensor out = net.output(i);
            int rows = out.dim(0), units = out.dim(1);
            int dead = 0;
            for (int u = 0; u < units; u++) {
                boolean silent = true;
                for (int r = 0; r < rows && silent; r++) silent = out.data()[out.offset() + r * out.ld() + u] <= 0f;
                if (silent) dead++;
            }
            if (dead >= DEAD_SHARE * units) {
                causes.add(String.format(Locale.ROOT, "%d of %d units of %s are dead (zero on every example, so no gradient reaches them): "
                        + "a lower --lr, --init he, or --activation leaky-relu", dead, units, layers.get(i).name()));
            }
        }
    }

    /** A learning rate as a user types it: 3 significant digits, no trailing zeros (0.01, 200, 0.00001). */
    static String rate(double lr) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", lr)).stripTrailingZeros().toPlainString();
    }

    private static double maxAbs(Tensor t) {
        if (t == null) return 0;
        double m = 0;
        float[] d = t.data();
        for (int i = 0; i < t.size(); i++) m = Math.max(m, Math.abs(d[t.offset() + i]));
        return m;
    }
}
