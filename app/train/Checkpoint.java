package app.train;

import backprop.EpochMetrics;
import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
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
