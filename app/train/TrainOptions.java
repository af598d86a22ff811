package app.train;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The options of a training run, one row each: its flag, its key in a checkpoint's {@code config},
 * its type, bounds and help. {@link TrainConfig}'s JSON, the commands' flag declarations, their
 * {@code --help} and their parsing all walk this table, so a new option is one row here (plus its
 * field in {@link TrainConfig} and its builder setter).
 */
public final class TrainOptions {
    private TrainOptions() {}

    /** Which commands take an option: every command that builds a model, or only those that train it. */
    public enum Group { MODEL, TRAINING }

    /** How an option's value is written in JSON and read back. */
    public enum Kind {
        TEXT, CHOICE, INT, LONG, FLOAT, DOUBLE, SWITCH;

        /** The JSON value of a field (floats as the doubles equal to them: exact). */
        Object toJson(Object v) {
            return this == FLOAT ? (Object) (double) (Float) v : v;
        }

        /** The field of a JSON value; a mistyped one names the key. */
        Object fromJson(String key, Object v, boolean nullable) {
            if (v == null && nullable) return null;
            switch (this) {
                case TEXT, CHOICE -> { if (v instanceof String) return v; }
                case INT -> { if (v instanceof Long n) return (int) (long) n; }
                case LONG -> { if (v instanceof Long) return v; }
                case FLOAT -> { if (v instanceof Number n) return (float) n.doubleValue(); }
                case DOUBLE -> { if (v instanceof Number n) return n.doubleValue(); }
                case SWITCH -> { if (v instanceof Boolean) return v; }
            }
            String wanted = switch (this) {
                case TEXT, CHOICE -> "a string";
                case INT, LONG -> "an integer";
                case FLOAT, DOUBLE -> "a number";
                case SWITCH -> "true or false";
            };
            throw new IllegalArgumentException("config field '" + key + "' should be " + wanted + ", got " + v);
        }
    }

    /**
     * One option.
     *
     * @param valueName the value's name in --help (null for a switch)
     * @param min       the bounds of a number, with {@code ends} ("(]", "[)", "[]", "()") saying which are open
     * @param choices   the values a CHOICE takes
     * @param nullable  whether "not set" (null) is a value: the checkpoint writes null, the flag has no default
     * @param since     0: every checkpoint has the key; 1: added later, so a missing key means the default
     * @param check     validates and normalizes a given TEXT value (throws naming the problem); identity for most
     */
    public record Option(String flag, String key, Kind kind, Group group, String valueName, double min, double max, String ends,
                         List<String> choices, boolean nullable, int since, String help, UnaryOperator<String> check,
                         Function<TrainConfig, Object> get, BiConsumer<TrainConfig.Builder, Object> set) {
        /**
         * The default shown in --help: the value in {@link TrainConfig#defaults()}; none for a switch, a null, or a number
         * outside the bounds (0 meaning "off", as --early-stopping's).
         */
        public String defaultText() {
            Object v = get.apply(TrainConfig.defaults());
            if (v == null || kind == Kind.SWITCH) return null;
            if (v instanceof Number n && ends != null) {
                double d = n.doubleValue();
                boolean in = (ends.charAt(0) == '(' ? d > min : d >= min) && (ends.charAt(1) == ')' ? d < max : d <= max);
                if (!in) return null;
                if (kind == Kind.FLOAT) return d == Math.rint(d) ? Long.toString((long) d) : Float.toString((Float) v);
            }
            return String.valueOf(v);
        }
    }

    private static final double MAX = Float.MAX_VALUE;
    private static final UnaryOperator<String> ANY = s -> s;

    private static Option text(String flag, String key, Group g, String valueName, boolean nullable, int since, String help,
                               UnaryOperator<String> check, Function<TrainConfig, Object> get, BiConsumer<TrainConfig.Builder, Object> set) {
        return new Option(flag, key, Kind.TEXT, g, valueName, 0, 0, null, List.of(), nullable, since, help, check, get, set);
    }

    private static Option choice(String flag, String key, Group g, String valueName, List<String> choices, int since, String help,
                                 Function<TrainConfig, Object> get, BiConsumer<TrainConfig.Builder, Object> set) {
        return new Option(flag, key, Kind.CHOICE, g, valueName, 0, 0, null, choices, false, since, help, ANY, get, set);
    }

    private static Option number(String flag, String key, Kind kind, Group g, String valueName, double min, double max, String ends,
                                 String help, Function<TrainConfig, Object> get, BiConsumer<TrainConfig.Builder, Object> set) {
        return new Option(flag, key, kind, g, valueName, min, max, ends, List.of(), false, 0, help, ANY, get, set);
    }

    /** Every option, in the order of a checkpoint's config. */
    public static final List<Option> ALL = List.of(
            text("data", "data", Group.MODEL, "SPEC", false, 0,
                    "dataset: digits (embedded), fashion-mnist, mnist, cifar10, a .csv file or a folder",
                    ANY, TrainConfig::data, (b, v) -> b.data((String) v)),
            text("model", "model", Group.MODEL, "SIZES", true, 0, "layer sizes from input to output, e.g. 784-256-128-10 (default <inputs>-"
                    + Training.DEFAULT_HIDDEN + "-<classes> of the data)",
                    s -> { ModelSpec.parseSizes(s); return s; }, TrainConfig::model, (b, v) -> b.model((String) v)),
            choice("activation", "activation", Group.MODEL, "NAME", ModelSpec.ACTIVATIONS, 0,
                    "hidden activation: " + String.join("|", ModelSpec.ACTIVATIONS), TrainConfig::activation, (b, v) -> b.activation((String) v)),
            choice("loss", "loss", Group.MODEL, "NAME", ModelSpec.LOSSES, 0, "loss: " + String.join("|", ModelSpec.LOSSES)
                    + " (ce: softmax + cross-entropy on logits; nll: LogSoftmax output; mse, sse, l1: Softmax output vs one-hot;"
                    + " bce: per-class sigmoid + binary cross-entropy; hinge: multiclass hinge on scores)",
                    TrainConfig::loss, (b, v) -> b.loss((String) v)),
            choice("init", "init", Group.MODEL, "NAME", List.of("normal", "xavier", "he"), 0,
                    "weight init: normal (σ = 1/√fan_in)|xavier (Glorot uniform)|he (Kaiming normal); biases start at 0",
                    TrainConfig::init, (b, v) -> b.init((String) v)),
            number("lr", "lr", Kind.FLOAT, Group.TRAINING, "RATE", 0, MAX, "(]", "learning rate, > 0",
                    TrainConfig::lr, (b, v) -> b.lr((Float) v)),
            number("momentum", "momentum", Kind.FLOAT, Group.TRAINING, "MU", 0, 1, "[)",
                    "heavy-ball momentum in [0, 1) (0: plain SGD), as PyTorch's SGD", TrainConfig::momentum, (b, v) -> b.momentum((Float) v)),
            number("l1", "l1", Kind.FLOAT, Group.TRAINING, "LAMBDA", 0, MAX, "[]", "L1 penalty λ·Σ|w| on the weights (not biases)",
                    TrainConfig::l1, (b, v) -> b.l1((Float) v)),
            number("l2", "l2", Kind.FLOAT, Group.TRAINING, "LAMBDA", 0, MAX, "[]",
                    "L2 penalty (λ/2)·Σw² on the weights (not biases): PyTorch's weight_decay", TrainConfig::l2, (b, v) -> b.l2((Float) v)),
            number("dropout", "dropout", Kind.FLOAT, Group.MODEL, "P", 0, 1, "[)", "dropout rate after each hidden activation, in [0, 1)",
                    TrainConfig::dropout, (b, v) -> b.dropout((Float) v)),
            new Option("batchnorm", "batchnorm", Kind.SWITCH, Group.MODEL, null, 0, 0, null, List.of(), false, 0,
                    "batch normalization after each hidden Linear layer (before the activation)", ANY,
                    TrainConfig::batchNorm, (b, v) -> b.batchNorm((Boolean) v)),
            number("batch", "batch", Kind.INT, Group.TRAINING, "N", 1, 1 << 20, "[]",
                    "minibatch size (the last batch of an epoch holds the rest)", TrainConfig::batch, (b, v) -> b.batch((Integer) v)),
            number("epochs", "epochs", Kind.INT, Group.TRAINING, "N", 1, 1_000_000, "[]",
                    "epochs to train (with --resume: the total, counting those done)", TrainConfig::epochs, (b, v) -> b.epochs((Integer) v)),
            text("lr-decay", "lr_decay", Group.TRAINING, "SPEC", true, 0, "learning-rate schedule after each epoch: step:EVERY:GAMMA "
                    + "(lr·γ every EVERY epochs), exp:GAMMA (lr·γ every epoch), plateau:PATIENCE:FACTOR (lr·factor when the validation "
                    + "loss has not improved for more than PATIENCE epochs)",
                    s -> { LrDecay.parse(s); return s.equalsIgnoreCase("none") ? null : s; },
                    TrainConfig::lrDecay, (b, v) -> b.lrDecay((String) v)),
            new Option("early-stopping", "early_stopping", Kind.INT, Group.TRAINING, "PATIENCE", 1, 1_000_000, "[]", List.of(), false, 0,
                    "stop when the validation loss has not improved for PATIENCE epochs; the best epoch's weights are tested and saved "
                    + "to <checkpoint>.best.safetensors", ANY, TrainConfig::earlyStopping,
                    (b, v) -> b.earlyStopping((Integer) v)),
            text("freeze", "freeze", Group.TRAINING, "LAYERS", true, 0,
                    "Linear layers whose weights and biases stay fixed, counted from 1: e.g. 1 or 1,2",
                    s -> {
                        if (!s.matches("\\s*\\d+\\s*(,\\s*\\d+\\s*)*")) {
                            throw new IllegalArgumentException("must list Linear layer numbers counted from 1, e.g. 1 or 1,2; got '" + s + "'");
                        }
                        return s;
                    }, TrainConfig::freeze, (b, v) -> b.freeze((String) v)),
            number("seed", "seed", Kind.LONG, Group.MODEL, "N", 0, 0, null, "seed of the initial weights, the shuffling and the dropout masks",
                    TrainConfig::seed, (b, v) -> b.seed((Long) v)),
            new Option("val-split", "val_split", Kind.DOUBLE, Group.TRAINING, "F", 0, 1, "()", List.of(), false, 0,
                    "hold out a stratified share F in (0, 1) of the training set for validation", ANY,
                    TrainConfig::valSplit, (b, v) -> b.valSplit((Double) v)),
            choice("normalize", "normalize", Group.MODEL, "HOW", List.of("global", "feature", "none"), 0,
                    "input normalization fitted on the training set: global (one mean and std)|feature|none",
                    TrainConfig::normalize, (b, v) -> b.normalize((String) v)),
            choice("balance", "balance", Group.TRAINING, "HOW", TrainConfig.BALANCES, 1, "unbalanced classes: none, oversample (each epoch "
                    + "also draws the rarer classes again, seeded, until every class has as many examples as the largest; every example "
                    + "is still seen) or weights (the loss of an example weighs n/(classes·n_class))",
                    TrainConfig::balance, (b, v) -> b.balance((String) v)),
            text("from", "from", Group.TRAINING, "PATH", true, 1, "start from the checkpoint PATH: its Linear layers (and the BatchNorm "
                    + "after each) are kept while they match this --model by position and shape; the first that differs and every later one "
                    + "are new (a new head)", ANY, TrainConfig::from, (b, v) -> b.from((String) v)),
            text("label-overrides", "label_overrides", Group.TRAINING, "FILE", true, 1, "apply a label-overrides file of ./nabla clean "
                    + "as the data loads: relabel, leave out the deleted (a --resume run applies it again)",
                    ANY, TrainConfig::labelOverrides, (b, v) -> b.labelOverrides((String) v)));

    /** The options with these flags, in the order given; an unknown flag is a programming error. */
    public static List<Option> named(String... flags) {
        return Arrays.stream(flags).map(name -> ALL.stream().filter(o -> o.flag().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no train option --" + name))).toList();
    }

    /** The options of {@code group}, in table order. */
    public static List<Option> of(Group group) {
        return ALL.stream().filter(o -> o.group() == group).toList();
    }
}
