package app.train;

import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.Activations;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Softmax;
import backprop.layers.Tanh;
import backprop.loss.Losses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tensor.Tensor;

/**
 * A multilayer perceptron described the way the command line does: layer sizes from input to
 * output ({@code 784-256-128-10}), the hidden activation, the loss, dropout and batch norm.
 *
 * <p>The network is built as PyTorch's {@code nn.Sequential} would hold it, layer after layer,
 * each hidden stage {@code Linear → [BatchNorm1d] → activation → [Dropout]}, then the output
 * Linear and the head the loss needs. Layer i is named by its kind and i ({@code dense0},
 * {@code relu1}, {@code dense2}); module i of the same {@code nn.Sequential} in PyTorch, so the
 * checkpoint stores {@code dense0.weight} as {@code 0.weight} (see {@link Checkpoint}).
 *
 * <table>
 *   <caption>The output head per loss</caption>
 *   <tr><th>--loss</th><th>last layer</th><th>target</th><th>class probabilities</th></tr>
 *   <tr><td>ce</td><td>Linear (logits; softmax inside the loss)</td><td>class</td><td>softmax(z)</td></tr>
 *   <tr><td>nll</td><td>LogSoftmax</td><td>class</td><td>exp(y)</td></tr>
 *   <tr><td>mse, sse, l1</td><td>Softmax</td><td>one-hot</td><td>y</td></tr>
 *   <tr><td>bce</td><td>Linear (logits; sigmoid inside the loss)</td><td>one-hot</td><td>sigmoid(z), per class</td></tr>
 *   <tr><td>hinge</td><td>Linear (scores)</td><td>class</td><td>softmax(z) of the scores</td></tr>
 * </table>
 */
public record ModelSpec(int[] sizes, String activation, String loss, float dropout, boolean batchNorm) {
    public static final List<String> ACTIVATIONS = Activations.NAMES;
    public static final List<String> LOSSES = List.of("ce", "nll", "mse", "sse", "l1", "bce", "hinge");

    /** How the last layer's output becomes class probabilities. */
    public enum Head { SOFTMAX_OF_LOGITS, EXP_OF_LOG_PROBABILITIES, PROBABILITIES, SIGMOID_OF_LOGITS }

    public ModelSpec {
        if (sizes.length < 2) throw new IllegalArgumentException("a model needs at least an input and an output size, got " + Arrays.toString(sizes));
        for (int s : sizes) if (s < 1) throw new IllegalArgumentException("layer sizes must be >= 1, got " + Arrays.toString(sizes));
        if (!ACTIVATIONS.contains(activation)) throw new IllegalArgumentException("unknown activation '" + activation + "'; known: " + ACTIVATIONS);
        if (!LOSSES.contains(loss)) throw new IllegalArgumentException("unknown loss '" + loss + "'; known: " + LOSSES);
        if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        if (sizes[sizes.length - 1] < 2 && !loss.equals("bce")) {
            throw new IllegalArgumentException("a classifier needs at least 2 outputs, got " + sizes[sizes.length - 1]);
        }
        sizes = sizes.clone();
    }

    /**
     * Parses {@code 784-256-128-10}: positive sizes joined by '-', input first. The message of a
     * bad string says which part is wrong and shows the form.
     */
    public static int[] parseSizes(String model) {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("the model is empty; write layer sizes joined by '-', e.g. 784-256-128-10");
        String[] parts = model.trim().split("-", -1);
        if (parts.length < 2) {
            throw new IllegalArgumentException("model '" + model + "' needs at least an input and an output size, e.g. 784-256-128-10");
        }
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int s;
            try {
                s = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("model '" + model + "': '" + parts[i] + "' is not a layer size; write positive sizes "
                        + "from input to output joined by '-', e.g. 784-256-128-10");
            }
            if (s < 1 || s > 1 << 20) {
                throw new IllegalArgumentException("model '" + model + "': layer size " + s + " is outside 1.." + (1 << 20));
            }
            sizes[i] = s;
        }
        return sizes;
    }

    /** {@code 784-256-128-10}. */
    public String modelString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) sb.append(i == 0 ? "" : "-").append(sizes[i]);
        return sb.toString();
    }

    public int inputs() { return sizes[0]; }
    public int outputs() { return sizes[sizes.length - 1]; }

    /** The network, uninitialized (call {@link Network#initialize}); layers named dense0, relu1, ... */
    public Network build() {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            layers.add(new Dense(sizes[i], sizes[i + 1]));
            if (i + 2 == sizes.length) break;
            if (batchNorm) layers.add(new BatchNorm(sizes[i + 1]));
            layers.add(activationLayer());
            if (dropout > 0f) layers.add(new Dropout(dropout));
        }
        switch (loss) {
            case "nll" -> layers.add(new LogSoftmax());
            case "mse", "sse", "l1" -> layers.add(new Softmax());
            default -> { }
        }
        Network net = new Network(sizes[0]);
        for (Layer l : layers) net.add(l); // named by kind and position: dense0, relu1, dense2, ...
        return net;
    }

    private Layer activationLayer() {
        return Activations.byName(activation);
    }

    /** The loss, by the engine's name for it. */
    public Loss newLoss() {
        return Losses.byName(switch (loss) {
            case "ce" -> "softmax_ce";
            case "bce" -> "bce_logits";
            default -> loss;
        });
    }

    /** True when the loss takes class indices as targets, false when it takes one-hot rows. */
    public boolean indexTargets() {
        return loss.equals("ce") || loss.equals("nll") || loss.equals("hinge");
    }

    public Head head() {
        return switch (loss) {
            case "nll" -> Head.EXP_OF_LOG_PROBABILITIES;
            case "mse", "sse", "l1" -> Head.PROBABILITIES;
            case "bce" -> Head.SIGMOID_OF_LOGITS;
            default -> Head.SOFTMAX_OF_LOGITS;
        };
    }

    /** Class probabilities of row {@code r} of the network output into {@code p} (length = classes). */
    public void probabilities(Tensor output, int r, double[] p) {
        int k = output.dim(1);
        float[] o = output.data();
        int off = output.offset() + r * output.ld();
        switch (head()) {
            case PROBABILITIES -> { for (int j = 0; j < k; j++) p[j] = o[off + j]; }
            case EXP_OF_LOG_PROBABILITIES -> { for (int j = 0; j < k; j++) p[j] = Math.exp(o[off + j]); }
            // σ(z) = 1/(1 + e^(−z)), each class on its own
            case SIGMOID_OF_LOGITS -> { for (int j = 0; j < k; j++) p[j] = 1 / (1 + Math.exp(-o[off + j])); }
            case SOFTMAX_OF_LOGITS -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) max = Math.max(max, o[off + j]);
                double sum = 0;
                // p_j = e^(z_j − max) / Σ e^(z − max)
                for (int j = 0; j < k; j++) sum += p[j] = Math.exp(o[off + j] - max);
                for (int j = 0; j < k; j++) p[j] /= sum;
            }
        }
    }

    /**
     * The layers as PyTorch modules, for the checkpoint's metadata: a reader can rebuild the
     * {@code nn.Sequential} from it ({@code bench/torch_load_checkpoint.py} does).
     */
    public static List<Map<String, Object>> architecture(Network net) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < net.layers().size(); i++) {
            Layer l = net.layers().get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("index", i);
            if (l instanceof Dense d) {
                m.put("type", "Linear");
                m.put("in_features", d.inFeatures());
                m.put("out_features", d.outFeatures());
                m.put("bias", d.bias() != null);
            } else if (l instanceof BatchNorm) {
                m.put("type", "BatchNorm1d");
                m.put("num_features", net.inputFeatures(i));
                m.put("eps", 1e-5);
                m.put("momentum", 0.1);
            } else if (l instanceof LeakyReLU lr) {
                m.put("type", "LeakyReLU");
                m.put("negative_slope", (double) lr.slope());
            } else if (l instanceof Dropout d) {
                m.put("type", "Dropout");
                m.put("p", (double) d.rate());
            } else if (l instanceof ReLU) {
                m.put("type", "ReLU");
            } else if (l instanceof Sigmoid) {
                m.put("type", "Sigmoid");
            } else if (l instanceof Tanh) {
                m.put("type", "Tanh");
            } else if (l instanceof Softmax) {
                m.put("type", "Softmax");
                m.put("dim", 1);
            } else if (l instanceof LogSoftmax) {
                m.put("type", "LogSoftmax");
                m.put("dim", 1);
            } else {
                m.put("type", l.getClass().getSimpleName());
            }
            out.add(m);
        }
        return out;
    }

    /** Freezes the Linear layers numbered (from 1) in {@code spec}, e.g. "1" or "1,2". */
    public static void freeze(Network net, String spec) {
        if (spec == null || spec.isBlank()) return;
        List<Dense> dense = denseLayers(net);
        for (String part : spec.split(",")) {
            int k;
            try {
                k = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("freeze '" + spec + "': '" + part + "' is not a layer number; give the Linear layers "
                        + "to freeze, counted from 1, e.g. 1 or 1,2");
            }
            if (k < 1 || k > dense.size()) {
                throw new IllegalArgumentException("freeze '" + spec + "': the model has Linear layers 1.." + dense.size() + ", not " + k);
            }
            net.freeze(dense.get(k - 1).name());
        }
    }

    /** The Linear layers in order (what {@code --freeze 1,2} counts). */
    public static List<Dense> denseLayers(Network net) {
        List<Dense> out = new ArrayList<>();
        for (Layer l : net.layers()) if (l instanceof Dense d) out.add(d);
        return out;
    }
}
