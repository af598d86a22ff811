package app.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that decides what a training run computes — the flags of {@code nabla train} that a
 * checkpoint records so that {@code --resume} repeats the run exactly. (Where to write files and
 * how many threads to use are not here: they change nothing in the result.) Each field is one row
 * of {@link TrainOptions}, which gives its flag, JSON key, default, bounds and help; build one with
 * {@link #builder()} or {@link #toBuilder()}.
 *
 * @param model      layer sizes such as {@code 64-64-10}; null for the default, {@code <inputs>-64-<classes>}
 * @param lrDecay    null, {@code step:EVERY:GAMMA}, {@code exp:GAMMA} or {@code plateau:PATIENCE:FACTOR}
 * @param earlyStopping patience in epochs, 0 for none
 * @param freeze     null, or 1-based numbers of the Linear layers whose parameters stay fixed ("1" or "1,2")
 * @param valSplit   the share of the training set held out for validation, 0 for none (the test set then validates)
 * @param normalize  {@code global} (one mean and std over all training pixels), {@code feature} or {@code none}
 * @param balance    {@code none}, {@code oversample} (each epoch adds seeded draws of the rarer classes) or {@code weights}
 *                   (a class-weighted loss)
 * @param from       null, or the checkpoint whose leading layers this run starts from (transfer learning)
 * @param labelOverrides null, or the label-overrides file of {@code nabla clean} applied to the data as it loads
 */
public record TrainConfig(String data, String model, String activation, String loss, String init, float lr, float momentum,
                          float l1, float l2, float dropout, boolean batchNorm, int batch, int epochs, String lrDecay,
                          int earlyStopping, String freeze, long seed, double valSplit, String normalize, String balance,
                          String from, String labelOverrides) {
    public static final List<String> BALANCES = List.of("none", "oversample", "weights");

    public TrainConfig {
        if (!BALANCES.contains(balance)) throw new IllegalArgumentException("balance must be one of " + BALANCES + ", got '" + balance + "'");
    }

    /** What {@code ./nabla train} with no flags runs: the digits, a 64-64-10 ReLU network, 20 epochs of SGD with momentum. */
    public static TrainConfig defaults() {
        return new TrainConfig("digits", null, "relu", "ce", "he", 0.05f, 0.9f, 0f, 0f, 0f, false, 32, 20, null, 0, null, 42L, 0.0,
                "global", "none", null, null);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The JSON object the checkpoint's {@code config} holds, one key per {@link TrainOptions} row (floats as the doubles equal to them). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (TrainOptions.Option o : TrainOptions.ALL) m.put(o.key(), o.kind().toJson(o.get().apply(this)));
        return m;
    }

    /** The config of a checkpoint; a missing or mistyped field names itself (fields added later default when missing). */
    public static TrainConfig fromJson(Map<?, ?> m) {
        Builder b = builder();
        for (TrainOptions.Option o : TrainOptions.ALL) {
            if (m.get(o.key()) == null && o.since() > 0) continue;  // written before the option existed: its default
            o.set().accept(b, o.kind().fromJson(o.key(), m.get(o.key()), o.nullable()));
        }
        return b.build();
    }

    public TrainConfig withEpochs(int e) { return toBuilder().epochs(e).build(); }
    public TrainConfig withModel(String m) { return toBuilder().model(m).build(); }
    public TrainConfig withSeed(long s) { return toBuilder().seed(s).build(); }

    /** A config field by field, from defaults or from another config. */
    public static final class Builder {
        private String data, model, activation, loss, init, lrDecay, freeze, normalize, balance, from, labelOverrides;
        private float lr, momentum, l1, l2, dropout;
        private boolean batchNorm;
        private int batch, epochs, earlyStopping;
        private long seed;
        private double valSplit;

        private Builder(TrainConfig c) {
            data = c.data; model = c.model; activation = c.activation; loss = c.loss; init = c.init; lr = c.lr;
            momentum = c.momentum; l1 = c.l1; l2 = c.l2; dropout = c.dropout; batchNorm = c.batchNorm; batch = c.batch;
            epochs = c.epochs; lrDecay = c.lrDecay; earlyStopping = c.earlyStopping; freeze = c.freeze; seed = c.seed;
            valSplit = c.valSplit; normalize = c.normalize; balance = c.balance; from = c.from; labelOverrides = c.labelOverrides;
        }

        public Builder data(String v) { data = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder activation(String v) { activation = v; return this; }
        public Builder loss(String v) { loss = v; return this; }
        public Builder init(String v) { init = v; return this; }
        public Builder lr(float v) { lr = v; return this; }
        public Builder momentum(float v) { momentum = v; return this; }
        public Builder l1(float v) { l1 = v; return this; }
        public Builder l2(float v) { l2 = v; return this; }
        public Builder dropout(float v) { dropout = v; return this; }
        public Builder batchNorm(boolean v) { batchNorm = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder lrDecay(String v) { lrDecay = v; return this; }
        public Builder earlyStopping(int v) { earlyStopping = v; return this; }
        public Builder freeze(String v) { freeze = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder valSplit(double v) { valSplit = v; return this; }
        public Builder normalize(String v) { normalize = v; return this; }
        public Builder balance(String v) { balance = v; return this; }
        public Builder from(String v) { from = v; return this; }
        public Builder labelOverrides(String v) { labelOverrides = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(data, model, activation, loss, init, lr, momentum, l1, l2, dropout, batchNorm, batch, epochs,
                    lrDecay, earlyStopping, freeze, seed, valSplit, normalize, balance, from, labelOverrides);
        }
    }
}
