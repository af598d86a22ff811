package app.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides what a training run computes — the flags of {@code nabla train} that a
 * checkpoint records so that {@code --resume} repeats the run exactly. (Where to write files and
 * how many threads to use are not here: they change nothing in the result.)
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
 */
public record TrainConfig(String data, String model, String activation, String loss, String init, float lr, float momentum,
                          float l1, float l2, float dropout, boolean batchNorm, int batch, int epochs, String lrDecay,
                          int earlyStopping, String freeze, long seed, double valSplit, String normalize, String balance,
                          String from) {
    public static final java.util.List<String> BALANCES = java.util.List.of("none", "oversample", "weights");

    public TrainConfig {
        if (!BALANCES.contains(balance)) throw new IllegalArgumentException("balance must be one of " + BALANCES + ", got '" + balance + "'");
    }

    /** A config without class balancing or a base checkpoint. */
    public TrainConfig(String data, String model, String activation, String loss, String init, float lr, float momentum,
                       float l1, float l2, float dropout, boolean batchNorm, int batch, int epochs, String lrDecay,
                       int earlyStopping, String freeze, long seed, double valSplit, String normalize) {
        this(data, model, activation, loss, init, lr, momentum, l1, l2, dropout, batchNorm, batch, epochs, lrDecay, earlyStopping,
                freeze, seed, valSplit, normalize, "none", null);
    }

    /** What {@code ./nabla train} with no flags runs: the digits, a 64-64-10 ReLU network, 20 epochs of SGD with momentum. */
    public static TrainConfig defaults() {
        return new TrainConfig("digits", null, "relu", "ce", "he", 0.05f, 0.9f, 0f, 0f, 0f, false, 32, 20, null, 0, null, 42L, 0.0, "global");
    }

    /** The JSON object the checkpoint's {@code config} holds (floats written as the doubles equal to them: exact). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("model", model);
        m.put("activation", activation);
        m.put("loss", loss);
        m.put("init", init);
        m.put("lr", (double) lr);
        m.put("momentum", (double) momentum);
        m.put("l1", (double) l1);
        m.put("l2", (double) l2);
        m.put("dropout", (double) dropout);
        m.put("batchnorm", batchNorm);
        m.put("batch", batch);
        m.put("epochs", epochs);
        m.put("lr_decay", lrDecay);
        m.put("early_stopping", earlyStopping);
        m.put("freeze", freeze);
        m.put("seed", seed);
        m.put("val_split", valSplit);
        m.put("normalize", normalize);
        m.put("balance", balance);
        m.put("from", from);
        return m;
    }

    /** The config of a checkpoint; a missing or mistyped field names itself. */
    public static TrainConfig fromJson(Map<?, ?> m) {
        return new TrainConfig(str(m, "data", false), str(m, "model", true), str(m, "activation", false), str(m, "loss", false),
                str(m, "init", false), (float) num(m, "lr"), (float) num(m, "momentum"), (float) num(m, "l1"), (float) num(m, "l2"),
                (float) num(m, "dropout"), bool(m, "batchnorm"), (int) integer(m, "batch"), (int) integer(m, "epochs"),
                str(m, "lr_decay", true), (int) integer(m, "early_stopping"), str(m, "freeze", true), integer(m, "seed"),
                num(m, "val_split"), str(m, "normalize", false),
                // checkpoints written before class balancing and --from have neither field
                m.get("balance") == null ? "none" : str(m, "balance", false), str(m, "from", true));
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(data, model, activation, loss, init, lr, momentum, l1, l2, dropout, batchNorm, batch, e, lrDecay,
                earlyStopping, freeze, seed, valSplit, normalize, balance, from);
    }

    public TrainConfig withModel(String m) {
        return new TrainConfig(data, m, activation, loss, init, lr, momentum, l1, l2, dropout, batchNorm, batch, epochs, lrDecay,
                earlyStopping, freeze, seed, valSplit, normalize, balance, from);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(data, model, activation, loss, init, lr, momentum, l1, l2, dropout, batchNorm, batch, epochs, lrDecay,
                earlyStopping, freeze, s, valSplit, normalize, balance, from);
    }

    public TrainConfig withBatch(int b) {
        return new TrainConfig(data, model, activation, loss, init, lr, momentum, l1, l2, dropout, batchNorm, b, epochs, lrDecay,
                earlyStopping, freeze, seed, valSplit, normalize, balance, from);
    }

    private static String str(Map<?, ?> m, String key, boolean nullable) {
        Object v = m.get(key);
        if (v == null && nullable) return null;
        if (!(v instanceof String s)) throw new IllegalArgumentException("config field '" + key + "' should be a string, got " + v);
        return s;
    }

    private static double num(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) throw new IllegalArgumentException("config field '" + key + "' should be a number, got " + m.get(key));
        return n.doubleValue();
    }

    private static long integer(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Long n)) throw new IllegalArgumentException("config field '" + key + "' should be an integer, got " + m.get(key));
        return n;
    }

    private static boolean bool(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Boolean b)) throw new IllegalArgumentException("config field '" + key + "' should be true or false, got " + m.get(key));
        return b;
    }
}
