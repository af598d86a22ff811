package backprop;

import backprop.init.Initializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * A sequential network: layers chained output to input, each checked against its neighbour when
 * added. Parameters are reachable by qualified name ({@code "dense0.weight"}), can be frozen one
 * by one or a layer at a time, and are what an {@link Optimizer} updates.
 *
 * <pre>
 * Network net = new Network(784)
 *         .add(new Dense(784, 128)).add(new Sigmoid())
 *         .add(new Dense(128, 10))
 *         .initialize(Initializer.NORMAL_FAN_IN, 42);
 * Tensor logits = net.forward(x, true);
 * </pre>
 */
public final class Network {
    private final int inputFeatures;
    private final List<Layer> layers = new ArrayList<>();
    private final List<Integer> features = new ArrayList<>(); // features[i] = input width of layer i; last = output width
    private final Map<String, Layer> layersByName = new LinkedHashMap<>();
    private final Map<String, Parameter> parametersByName = new LinkedHashMap<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private Tensor[] outputs = new Tensor[0];       // outputs[i]: what layer i returned from the last forward
    private Tensor[] inputGradients = new Tensor[0]; // inputGradients[i]: ∂E/∂(input of layer i) from the last backward
    private Tensor lastInput;
    private Tensor lastGradOutput;

    /** An empty network for batches of {@code inputFeatures} features. */
    public Network(int inputFeatures) {
        if (inputFeatures < 1) throw new IllegalArgumentException("inputFeatures must be >= 1, got " + inputFeatures);
        this.inputFeatures = inputFeatures;
        features.add(inputFeatures);
    }

    /** Appends {@code layer}, named by its kind and position ("dense0", "relu1", ...). */
    public Network add(Layer layer) {
        return add(layer.name() + layers.size(), layer);
    }

    /** Appends {@code layer} under {@code name}; its parameters become {@code name.weight}, ... */
    public Network add(String name, Layer layer) {
        if (layersByName.containsKey(name)) throw new IllegalArgumentException("a layer named '" + name + "' is already in the network");
        if (layers.contains(layer)) throw new IllegalArgumentException("layer " + name + " is already in the network (a layer belongs to one place)");
        int in = outputFeatures();
        int out;
        try {
            out = layer.outputFeatures(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer " + layers.size() + " '" + name + "' does not fit after "
                    + (layers.isEmpty() ? "the network input" : "'" + layers.get(layers.size() - 1).name() + "'")
                    + " (" + in + " features): " + e.getMessage(), e);
        }
        layer.setName(name);
        for (Parameter p : layer.parameters()) {
            p.qualify(name);
            parametersByName.put(p.name(), p);
            parameters.add(p);
        }
        layers.add(layer);
        layersByName.put(name, layer);
        features.add(out);
        outputs = new Tensor[layers.size()];
        inputGradients = new Tensor[layers.size()];
        return this;
    }

    /** Fills every parameter from one generator seeded with {@code seed}: a seed reproduces the weights bit for bit. */
    public Network initialize(Initializer init, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Layer layer : layers) layer.initialize(init, rng);
        return this;
    }

    /** Runs every layer in order; {@code training} switches dropout and batch statistics on. */
    public Tensor forward(Tensor input, boolean training) {
        BatchBuffer.requireBatch(input, "network input", inputFeatures);
        lastInput = input;
        Tensor x = input;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, training);
            outputs[i] = x;
        }
        return x;
    }

    /** The forward pass in evaluation mode. */
    public Tensor predict(Tensor input) {
        return forward(input, false);
    }

    /** Backward through every layer; returns ∂E/∂input. Parameter gradients are overwritten. */
    public Tensor backward(Tensor gradOutput) {
        requireGradOutput(gradOutput);
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g);
            inputGradients[i] = g;
        }
        return g;
    }

    /**
     * Backward as far as a parameter needs it: layers before the first one with an unfrozen
     * parameter are skipped, and that one skips its input gradient. What a training step runs.
     */
    public void backwardParameters(Tensor gradOutput) {
        requireGradOutput(gradOutput);
        int first = firstTrainableLayer();
        Arrays.fill(inputGradients, null);
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i > first; i--) {
            g = layers.get(i).backward(g);
            inputGradients[i] = g;
        }
        if (first >= 0) layers.get(first).backwardParametersOnly(g);
    }

    private int firstTrainableLayer() {
        for (int i = 0; i < layers.size(); i++) {
            List<Parameter> ps = layers.get(i).parameters();
            for (int j = 0; j < ps.size(); j++) if (!ps.get(j).frozen()) return i;
        }
        return -1;
    }

    private void requireGradOutput(Tensor gradOutput) {
        Tensor out = layers.isEmpty() ? lastInput : outputs[layers.size() - 1];
        if (out == null) throw new IllegalStateException("backward before forward: run forward on a batch first");
        if (gradOutput.rank() != out.rank() || gradOutput.dim(0) != out.dim(0) || gradOutput.dim(1) != out.dim(1)) {
            throw new IllegalArgumentException("network backward: gradient shape " + Arrays.toString(gradOutput.shape())
                    + " does not match the output shape " + Arrays.toString(out.shape()));
        }
        lastGradOutput = gradOutput;
    }

    /** Freezes a parameter ("dense0.weight") or every parameter of a layer ("dense0"). */
    public Network freeze(String name) {
        setFrozen(name, true);
        return this;
    }

    public Network unfreeze(String name) {
        setFrozen(name, false);
        return this;
    }

    private void setFrozen(String name, boolean frozen) {
        Parameter p = parametersByName.get(name);
        if (p != null) {
            p.setFrozen(frozen);
            return;
        }
        Layer l = layersByName.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no layer or parameter named '" + name + "'; layers: " + layersByName.keySet()
                    + ", parameters: " + parametersByName.keySet());
        }
        for (Parameter q : l.parameters()) q.setFrozen(frozen);
    }

    public int inputFeatures() { return inputFeatures; }
    public int outputFeatures() { return features.get(features.size() - 1); }
    /** Input width of layer {@code i}. */
    public int inputFeatures(int i) { return features.get(i); }
    public List<Layer> layers() { return Collections.unmodifiableList(layers); }

    public Layer layer(String name) {
        Layer l = layersByName.get(name);
        if (l == null) throw new IllegalArgumentException("no layer named '" + name + "'; layers: " + layersByName.keySet());
        return l;
    }

    /** Every parameter in layer order. */
    public List<Parameter> parameters() { return Collections.unmodifiableList(parameters); }

    public Parameter parameter(String name) {
        Parameter p = parametersByName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named '" + name + "'; parameters: " + parametersByName.keySet());
        return p;
    }

    /** Parameters and buffers (running statistics) by qualified name, in layer order: what a checkpoint holds. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        for (Layer l : layers) {
            for (Parameter p : l.parameters()) s.put(p.name(), p.value());
            l.buffers().forEach((k, v) -> s.put(l.name() + "." + k, v));
        }
        return s;
    }

    /** Output of layer {@code i} from the last forward pass (null before one). */
    public Tensor output(int i) { return outputs[i]; }
    /** ∂E/∂(input of layer i) from the last backward pass (null where it was skipped). */
    public Tensor inputGradient(int i) { return inputGradients[i]; }
    /** The input of the last forward pass. */
    public Tensor lastInput() { return lastInput; }
    /** The gradient the last backward pass started from (∂E/∂output). */
    public Tensor lastGradOutput() { return lastGradOutput; }

    /** One line: {@code 784 → dense0 (784→256) → relu1 → ... → 10}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(inputFeatures);
        for (int i = 0; i < layers.size(); i++) {
            sb.append(" → ").append(layers.get(i).name());
            if (!features.get(i).equals(features.get(i + 1))) sb.append(" (").append(features.get(i)).append("→").append(features.get(i + 1)).append(')');
        }
        return sb.toString();
    }
}
