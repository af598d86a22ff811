package app.train;

import backprop.EpochMetrics;
import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
import backprop.optim.Sgd;
import data.Normalization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tensor.Tensor;
import tensor.io.Json;
import tensor.io.SafeTensors;

/**
 * A training checkpoint: one safetensors file (see {@link SafeTensors}) that PyTorch can read.
 *
 * <p>Tensors. The model's parameters and buffers carry the names of PyTorch's
 * {@code nn.Sequential} state dict: {@code <layer index>.<name>}, e.g. {@code 0.weight} [out, in]
 * (nabla's {@code dense0.weight}),
 * {@code 0.bias}, {@code 1.weight}/{@code 1.bias} (BatchNorm's γ and β), {@code 1.running_mean},
 * {@code 1.running_var}. Everything else has a prefix that no layer index has:
 * {@code optimizer.<param>.momentum_buffer} (SGD's velocity, PyTorch's name for it) and, with early
 * stopping, {@code best.<param>} (the weights of the best epoch so far).
 *
 * <p>Metadata ({@code __metadata__}, strings; JSON where structured): {@code format}
 * ({@value #FORMAT}), {@code architecture} (the layers as PyTorch modules), {@code config} (the
 * training flags, {@link TrainConfig}), {@code epoch} (epochs completed), {@code learning_rate}
 * (for the next epoch), {@code optimizer} (type, hyper-parameters and which tensor holds which
 * state), {@code rng} (the seed and the next epoch: every random draw of the run is a function of
 * the two, see {@link Training}), {@code normalization} (per-feature mean and 1/std applied to
 * the inputs), {@code history} (one record per epoch: losses, accuracy, seconds),
 * {@code classes} and {@code image_shape}. Floats are written as the doubles equal to them, so
 * they read back exactly.
 */
public final class Checkpoint {
    public static final String FORMAT = "nabla-checkpoint/1";
    public static final String OPTIMIZER_PREFIX = "optimizer.";
    public static final String BEST_PREFIX = "best.";
    public static final String MOMENTUM_SUFFIX = ".momentum_buffer";

    private final String source;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    public Checkpoint(Map<String, Tensor> tensors, Map<String, String> metadata) {
        this("checkpoint", tensors, metadata);
    }

    private Checkpoint(String source, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Reads a checkpoint (or any F32 safetensors file: then only {@link #loadModel} with a model of your own applies). */
    public static Checkpoint read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        return new Checkpoint(file.toString(), c.tensors(), c.metadata());
    }

    /** Writes atomically (temporary file, fsync, rename): a crash leaves the previous file as it was. */
    public void write(Path file) throws IOException {
        SafeTensors.write(file, tensors, metadata);
    }

    public Map<String, Tensor> tensors() { return tensors; }
    public Map<String, String> metadata() { return metadata; }
    /** Where it was read from ("checkpoint" for one built in memory). */
    public String source() { return source; }

    /** True when the file was written by nabla's trainer (it has the training state). */
    public boolean isTrainingCheckpoint() {
        return FORMAT.equals(metadata.get("format"));
    }

    /** A metadata entry; a missing one names the file and the key. */
    public String meta(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException(source + " has no '" + key + "' in its metadata"
                    + (isTrainingCheckpoint() ? "" : " (not a nabla training checkpoint: its metadata has " + metadata.keySet() + ")"));
        }
        return v;
    }

    /** A metadata entry parsed as JSON. */
    public Object json(String key) {
        String v = meta(key);
        try {
            return Json.parse(v);
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException(source + ": metadata '" + key + "' is not valid JSON: " + e.getMessage());
        }
    }

    public TrainConfig config() {
        if (!(json("config") instanceof Map<?, ?> m)) throw new IllegalArgumentException(source + ": metadata 'config' is not a JSON object");
        try {
            return TrainConfig.fromJson(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    /**
     * The whole state of {@code run}: weights and BatchNorm statistics, SGD's momentum buffers, the weights of the best
     * epoch (with early stopping), and as metadata the architecture, config, epoch, learning rate, the optimizer in
     * PyTorch's terms, the seeds' streams, the normalization, the history, and the base of a --from run.
     */
    public static Checkpoint of(Training run) {
        Map<String, Tensor> bestState = run.bestState();
        String transfer = run.transferJson();
        Map<String, Tensor> tensors = new LinkedHashMap<>(modelState(run.network()));
        Map<String, Object> optimizerState = new LinkedHashMap<>();
        List<Layer> layers = run.network().layers();
        for (int i = 0; i < layers.size(); i++) {
            for (Parameter p : layers.get(i).parameters()) {
                Tensor v = run.optimizer().velocity(p.name());
                if (v == null) continue;
                String name = OPTIMIZER_PREFIX + torchName(i, p) + MOMENTUM_SUFFIX;
                tensors.put(name, v);
                optimizerState.put(torchName(i, p), Map.of("momentum_buffer", name));
            }
        }
        if (bestState != null) bestState.forEach((k, v) -> tensors.put(BEST_PREFIX + k, v));

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("architecture", Json.write(ModelSpec.architecture(run.network())));
        meta.put("model", run.spec().modelString());
        meta.put("config", Json.write(run.config().toJson()));
        meta.put("epoch", Integer.toString(run.epoch()));
        meta.put("learning_rate", Double.toString(run.optimizer().learningRate()));
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("type", "sgd");
        opt.put("lr", (double) run.optimizer().learningRate());
        opt.put("momentum", (double) run.optimizer().momentum());
        opt.put("dampening", 0.0);
        opt.put("nesterov", false);
        opt.put("l1", (double) run.config().l1());
        opt.put("weight_decay", (double) run.config().l2());
        opt.put("state", optimizerState);
        meta.put("optimizer", Json.write(opt));
        Map<String, Object> rng = new LinkedHashMap<>();
        rng.put("seed", run.config().seed());
        rng.put("next_epoch", run.epoch());
        rng.put("shuffle", "data.Loader: SplitMix64 seeded Rng.mix(seed, 1, epoch)");
        rng.put("dropout", "SplittableRandom(Rng.mix(seed, 3, epoch*65536 + dropout layer index)) per epoch");
        meta.put("rng", Json.write(rng));
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("mean", doubles(run.normalization().mean()));
        norm.put("inv_std", doubles(run.normalization().invStd()));
        meta.put("normalization", Json.write(norm));
        List<Object> h = new ArrayList<>();
        for (EpochMetrics r : run.history()) h.add(r.toJson());
        meta.put("history", Json.write(h));
        if (run.bestEpoch() > 0) meta.put("best", Json.write(Map.of("epoch", run.bestEpoch(), "val_loss", run.bestValLoss())));
        if (transfer != null) meta.put("transfer", transfer);
        meta.put("classes", Json.write(run.trainSet().classNames()));
        run.trainSet().imageShape().ifPresent(s -> meta.put("image_shape", s.channels() + "x" + s.height() + "x" + s.width()));
        return new Checkpoint(tensors, meta);
    }

    /** The floats as the doubles equal to them: JSON then reads them back exactly. */
    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /**
     * SGD's momentum buffers into {@code sgd}, parameter by parameter of {@code net}; a missing buffer is an error only when
     * the saved run had momentum and trained at least an epoch; a buffer of another size is named.
     */
    public void loadOptimizer(Network net, Sgd sgd) {
        TrainConfig saved = config();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            for (Parameter p : layers.get(i).parameters()) {
                Tensor v = sgd.velocity(p.name());
                if (v == null) continue;
                String name = OPTIMIZER_PREFIX + torchName(i, p) + MOMENTUM_SUFFIX;
                Tensor buffer = tensors.get(name);
                if (buffer == null) {
                    if (saved.momentum() > 0 && epoch() > 0) {
                        throw new IllegalArgumentException(source + " has no tensor '" + name + "' (SGD's momentum buffer) to resume from");
                    }
                    continue; // the checkpoint's run had no momentum: the velocity starts at zero
                }
                if (buffer.size() != v.size()) {
                    throw new IllegalArgumentException("tensor '" + name + "' has " + buffer.size() + " values in " + source
                            + " but the parameter " + p.name() + " has " + v.size());
                }
                v.copyFrom(buffer.reshape(v.shape()));
            }
        }
    }

    /** True when the checkpoint holds the weights of a best epoch (written with early stopping). */
    public boolean hasBestState() {
        return tensors.keySet().stream().anyMatch(k -> k.startsWith(BEST_PREFIX));
    }

    /** The weights of the best epoch, as copies, by their model-state names: a network of {@code spec} loaded from them. */
    public Map<String, Tensor> bestState(ModelSpec spec) {
        Network best = spec.build();
        loadModel(best, BEST_PREFIX, spec.modelString());
        Map<String, Tensor> c = new LinkedHashMap<>();
        modelState(best).forEach((k, v) -> c.put(k, v.copy()));
        return c;
    }

    /** Epochs completed when it was written. */
    public int epoch() {
        try {
            int e = Integer.parseInt(meta("epoch"));
            if (e < 0) throw new NumberFormatException();
            return e;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": metadata 'epoch' must be an integer >= 0, got '" + metadata.get("epoch") + "'");
        }
    }

    /** The learning rate for the next epoch. */
    public float learningRate() {
        try {
            return (float) Double.parseDouble(meta("learning_rate"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": metadata 'learning_rate' is not a number: '" + metadata.get("learning_rate") + "'");
        }
    }

    public Normalization normalization() {
        if (!(json("normalization") instanceof Map<?, ?> m)) throw new IllegalArgumentException(source + ": metadata 'normalization' is not a JSON object");
        return Normalization.of(floats(m.get("mean"), "normalization.mean"), floats(m.get("inv_std"), "normalization.inv_std"));
    }

    /** The class names, in label order. */
    public List<String> classes() {
        if (!(json("classes") instanceof List<?> l)) throw new IllegalArgumentException(source + ": metadata 'classes' is not a JSON list");
        List<String> names = new ArrayList<>();
        for (Object o : l) names.add(String.valueOf(o));
        return names;
    }

    /** One record per epoch trained so far. */
    public List<EpochMetrics> history() {
        if (!(json("history") instanceof List<?> l)) throw new IllegalArgumentException(source + ": metadata 'history' is not a JSON list");
        List<EpochMetrics> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("epoch") instanceof Long epoch)) {
                throw new IllegalArgumentException(source + ": a 'history' record is not an object with an epoch: " + o);
            }
            // null (JSON has no NaN) stands for a figure that does not apply
            out.add(EpochMetrics.fromJson(m));
        }
        return out;
    }

    private float[] floats(Object list, String what) {
        if (!(list instanceof List<?> l)) throw new IllegalArgumentException(source + ": " + what + " is not a list");
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            if (!(l.get(i) instanceof Number n)) throw new IllegalArgumentException(source + ": " + what + "[" + i + "] is not a number: " + l.get(i));
            f[i] = n.floatValue();
        }
        return f;
    }

    // ---------------------------------------------------------------- the model's tensors

    /**
     * The name PyTorch gives parameter {@code p} of layer {@code layerIndex} in an {@code nn.Sequential}:
     * {@code dense0.weight} → {@code 0.weight}; BatchNorm's γ and β are its {@code weight} and {@code bias}.
     */
    public static String torchName(int layerIndex, Parameter p) {
        String local = switch (p.localName()) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            default -> p.localName();
        };
        return layerIndex + "." + local;
    }

    /** The model's parameters and buffers under PyTorch's names, in layer order (the tensors themselves, not copies). */
    public static Map<String, Tensor> modelState(Network net) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            for (Parameter p : l.parameters()) s.put(torchName(i, p), p.value());
            final int index = i;
            l.buffers().forEach((k, v) -> s.put(index + "." + k, v));
        }
        return s;
    }

    /** True for a name of the model state (it starts with a layer index), false for optimizer and other state. */
    public static boolean isModelTensor(String name) {
        return !name.isEmpty() && Character.isDigit(name.charAt(0));
    }

    /** Copies the model tensors into {@code net}; see {@link #loadModel(Network, String, String)}. */
    public void loadModel(Network net, String modelDescription) {
        loadModel(net, "", modelDescription);
    }

    /**
     * Copies the tensors {@code prefix + name} into {@code net}'s parameters and buffers. Checks
     * everything before it writes anything: a tensor the model needs and the file lacks, one whose
     * shape disagrees, or a model tensor in the file the network has no place for, is named in the
     * exception with both shapes.
     */
    public void loadModel(Network net, String prefix, String modelDescription) {
        Map<String, Tensor> want = modelState(net);
        for (Map.Entry<String, Tensor> e : want.entrySet()) {
            Tensor have = tensors.get(prefix + e.getKey());
            if (have == null) {
                List<String> names = new ArrayList<>();
                for (String n : tensors.keySet()) if (n.startsWith(prefix) && isModelTensor(n.substring(prefix.length()))) names.add(n);
                throw new IllegalArgumentException(source + " has no tensor '" + prefix + e.getKey() + "' that the model " + modelDescription
                        + " needs; its model tensors are " + names);
            }
            if (!Arrays.equals(have.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("tensor '" + prefix + e.getKey() + "' is " + Arrays.toString(have.shape()) + " in " + source
                        + " but the model " + modelDescription + " needs " + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String n : tensors.keySet()) {
            if (!n.startsWith(prefix)) continue;
            String local = n.substring(prefix.length());
            if (isModelTensor(local) && !want.containsKey(local)) {
                throw new IllegalArgumentException("tensor '" + n + "' " + Arrays.toString(tensors.get(n).shape()) + " in " + source
                        + " has no place in the model " + modelDescription + " (its tensors are " + want.keySet() + ")");
            }
        }
        for (Map.Entry<String, Tensor> e : want.entrySet()) e.getValue().copyFrom(tensors.get(prefix + e.getKey()));
    }
}
