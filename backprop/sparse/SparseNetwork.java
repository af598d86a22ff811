package backprop.sparse;

import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
import backprop.init.Initializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * A {@link SparseDense} first layer followed by an ordinary {@link Network} (hidden layers,
 * activations, the output layer): sparse rows in, the rest of the engine unchanged.
 *
 * <pre>
 * forward    h = first(x)  (sparse)       y = rest(h)
 * backward   ∂E/∂h = rest.backward(∂E/∂y)  then first.backward(∂E/∂h)  (rows of present words only)
 * </pre>
 * The dense parameters (the first layer's bias and everything in {@code rest}) go to an ordinary
 * optimizer; the first layer's weight rows are updated by {@link SparseDense#step}
 * (see {@link SparseTrainer}).
 */
public final class SparseNetwork {
    private final SparseDense first;
    private final Network rest;

    /** {@code rest} must take {@code first.outFeatures()} features. */
    public SparseNetwork(SparseDense first, Network rest) {
        if (rest.inputFeatures() != first.outFeatures()) {
            throw new IllegalArgumentException("sparse network: " + first + " gives " + first.outFeatures()
                    + " features but the network after it takes " + rest.inputFeatures());
        }
        this.first = first;
        this.rest = rest;
    }

    public SparseDense first() { return first; }
    public Network rest() { return rest; }
    public int inputFeatures() { return first.inFeatures(); }
    public int outputFeatures() { return rest.outputFeatures(); }

    /** Fills every parameter from one generator seeded with {@code seed}, first layer first (as {@link Network#initialize}). */
    public SparseNetwork initialize(Initializer init, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        first.initialize(init, rng);
        for (Layer layer : rest.layers()) layer.initialize(init, rng);
        return this;
    }

    public Tensor forward(SparseBatch x, boolean training) {
        return rest.forward(first.forward(x), training);
    }

    /** The forward pass in evaluation mode. */
    public Tensor predict(SparseBatch x) {
        return forward(x, false);
    }

    /** Backward through the rest, then the sparse rows: parameter gradients overwritten. */
    public void backward(Tensor gradOutput) {
        // ∂E/∂h = rest.backward(∂E/∂y)
        Tensor hiddenGradient = rest.backward(gradOutput);
        first.backward(hiddenGradient);
    }

    /** The parameters an ordinary optimizer updates: the first layer's bias, then the rest's parameters. */
    public List<Parameter> denseParameters() {
        List<Parameter> ps = new ArrayList<>(first.parameters());
        ps.addAll(rest.parameters());
        return ps;
    }

    /** Every tensor a checkpoint holds, by name: {@code first.weight [in][out]}, {@code first.bias}, then the rest's state. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put(first.name() + ".weight", first.weight());
        s.put(first.name() + ".bias", first.bias().value());
        s.putAll(rest.state());
        return s;
    }

    @Override
    public String toString() {
        // rest prints "10 → dense1 (10→1)": drop its leading input width
        return first.inFeatures() + " → " + first.name() + " (sparse " + first.inFeatures() + "→" + first.outFeatures() + ")"
                + rest.toString().substring(String.valueOf(rest.inputFeatures()).length());
    }
}
