package app.train;

import static data.MemoryLimit.size;

import data.MemoryLimit;
import data.MemoryLimit.TooLarge;
import java.util.Locale;

/**
 * The heap a run will need, computed from the sizes the input controls (the model's shape from a
 * flag, a CSV's columns or a checkpoint's metadata; the class count; the data) and checked against
 * the limit before those sizes are allocated, so a hostile or mistyped size is one line, not an
 * out-of-memory error after minutes.
 *
 * <p>The limit is {@link MemoryLimit#limit()}.
 *
 * @param parameters the model's float parameters (weights, biases, batch-norm scales and statistics)
 * @param copies     float arrays of that size the run holds: value and gradient, + momentum, + the best epoch's copy
 * @param batch      rows of the largest batch that flows through the layers
 * @param widths     the sum of the layer widths, input to output
 * @param classes    the class count (the confusion matrix is classes² counts)
 * @param dataBytes  the dataset's float32 features, already read
 */
public record MemoryBudget(String model, long parameters, int copies, int batch, long widths, int classes, long dataBytes) {
    /** [batch, width] float buffers per width, at most: Dense output and input gradient, activation, dropout, batch-norm and head buffers. */
    static final int BUFFERS_PER_WIDTH = 10;

    /**
     * What {@code nabla train} needs for this model and config on data of at most {@code rows} examples
     * a set ({@code dataBytes} in all): a batch is the training batch or the evaluator's, at most the rows.
     */
    public static MemoryBudget forTraining(ModelSpec spec, TrainConfig config, int rows, long dataBytes) {
        int copies = 2 + (config.momentum() > 0 ? 1 : 0) + (config.earlyStopping() > 0 ? 1 : 0);
        return new MemoryBudget(spec.modelString(), parameters(spec), copies, Math.min(rows, Math.max(config.batch(), Evaluator.BATCH)),
                widths(spec), spec.outputs(), dataBytes);
    }

    /** What evaluating or predicting with a saved model needs (weights and gradients are allocated by the layers). */
    public static MemoryBudget forInference(ModelSpec spec) {
        return new MemoryBudget(spec.modelString(), parameters(spec), 2, Evaluator.BATCH, widths(spec), spec.outputs(), 0);
    }

    /** Σ (in + 1)·out over the Linear layers, + 4·width per batch-norm layer (γ, β, running mean and variance). */
    static long parameters(ModelSpec spec) {
        int[] s = spec.sizes();
        long p = 0;
        for (int i = 0; i + 1 < s.length; i++) {
            p = add(p, mul((long) s[i] + 1, s[i + 1]));
            if (spec.batchNorm() && i + 2 < s.length) p = add(p, 4L * s[i + 1]);
        }
        return p;
    }

    private static long widths(ModelSpec spec) {
        long w = 0;
        for (int s : spec.sizes()) w += s;
        return w;
    }

    public long parameterBytes() { return mul(4L * copies, parameters); }
    public long activationBytes() { return mul(4L * batch * BUFFERS_PER_WIDTH, widths); }
    public long confusionBytes() { return 8L * classes * classes; }

    public long total() {
        return add(add(parameterBytes(), activationBytes()), add(confusionBytes(), dataBytes));
    }

    // Sizes from hostile input can overflow a long: the figures saturate at Long.MAX_VALUE instead.
    private static long mul(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long add(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Throws {@link TooLarge} naming the figure, its parts and the limit when the total exceeds {@link MemoryLimit#limit()}. */
    public void check() {
        check(MemoryLimit.limit());
    }

    public void check(long limit) {
        if (total() <= limit) return;
        throw new TooLarge(String.format(Locale.ROOT,
                "model %s needs about %s of memory (%,d parameters × %d copies: %s; activations of a %d-row batch: %s; "
                        + "confusion matrix of %,d classes: %s; data: %s) but the limit is %s (2/3 of java -Xmx, or -D%s=BYTES)",
                model, size(total()), parameters, copies, size(parameterBytes()), batch, size(activationBytes()),
                classes, size(confusionBytes()), size(dataBytes), size(limit), MemoryLimit.PROPERTY));
    }
}
