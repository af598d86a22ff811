package backprop;

import tensor.Tensor;

/**
 * A trainable tensor, its gradient ∂E/∂value (same shape), and two flags: {@code decays}
 * (weights: L1/L2 regularization applies; biases and BatchNorm's γ, β: it does not, by default),
 * and {@code frozen} (the gradient is neither computed nor applied: "train only the last layers").
 *
 * <p>Both tensors are contiguous, over float[] that the owning layer reads in place: write new
 * values with {@code value().copyFrom(...)}, never replace the arrays.
 */
public final class Parameter {
    private final String localName;
    private final Tensor value;
    private final Tensor gradient;
    private final boolean decays;
    private String name;
    private boolean frozen;

    public Parameter(String localName, Tensor value, boolean decays) {
        this.localName = localName;
        this.name = localName;
        this.value = value;
        this.gradient = Tensor.zeros(value.shape());
        this.decays = decays;
    }

    /** The qualified name, {@code layer.local} once the layer is in a network ("dense0.weight"). */
    public String name() { return name; }
    /** The name inside its layer ("weight", "bias", "gamma", "beta"). */
    public String localName() { return localName; }
    public Tensor value() { return value; }
    /** ∂E/∂value from the last backward pass (not accumulated across passes). */
    public Tensor gradient() { return gradient; }
    /** True for weights, which L1/L2 regularization shrinks; false for biases and norm parameters. */
    public boolean decays() { return decays; }
    public boolean frozen() { return frozen; }
    public void setFrozen(boolean frozen) { this.frozen = frozen; }
    public int size() { return value.size(); }

    void qualify(String layerName) { this.name = layerName + "." + localName; }

    @Override
    public String toString() {
        return name + java.util.Arrays.toString(value.shape()) + (frozen ? " (frozen)" : "");
    }
}
