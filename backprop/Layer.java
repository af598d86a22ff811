package backprop;

import backprop.init.Initializer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * One stage of a network: {@code forward} maps a batch {@code [batch, inFeatures]} to
 * {@code [batch, outFeatures]}; {@code backward} takes ∂E/∂output and returns ∂E/∂input,
 * writing ∂E/∂parameter into each parameter's gradient on the way.
 *
 * <p>The contract every layer keeps:
 * <ul>
 *   <li>A layer owns its parameters, their gradients and every buffer it needs. Buffers are
 *       allocated the first time a batch size is seen and reused afterwards: a training step on
 *       a batch size already seen allocates nothing.</li>
 *   <li>The tensors returned by {@code forward} and {@code backward} are the layer's own buffers:
 *       valid until the next call of the same method, never to be kept or written by the caller.</li>
 *   <li>{@code backward} uses what the last {@code forward} saw; it <em>overwrites</em> the
 *       parameter gradients (it does not accumulate), so no zeroing pass is needed.</li>
 *   <li>A frozen parameter's gradient is neither computed nor applied.</li>
 *   <li>Bad shapes throw {@link IllegalArgumentException} naming the layer, the expected and the
 *       actual shape.</li>
 * </ul>
 */
public interface Layer {
    /** The layer's name within its network ("dense0", "relu1", or one given to {@link Network#add(String, Layer)}). */
    String name();

    /** Called by {@link Network} when the layer is added; parameters are then named {@code name.local}. */
    void setName(String name);

    /**
     * The number of output features for {@code inputFeatures} input features; throws
     * {@link IllegalArgumentException} naming this layer when the input does not fit it.
     */
    int outputFeatures(int inputFeatures);

    /** The forward pass; {@code training} switches dropout and batch statistics on. */
    Tensor forward(Tensor input, boolean training);

    /** The backward pass: ∂E/∂output in, ∂E/∂input out; parameter gradients written on the way. */
    Tensor backward(Tensor gradOutput);

    /**
     * The backward pass of a first layer, whose input gradient nobody reads: writes the
     * parameter gradients only (Dense skips its largest product here).
     */
    default void backwardParametersOnly(Tensor gradOutput) {
        backward(gradOutput);
    }

    /** The trainable parameters, in a fixed order (empty for activations). */
    default List<Parameter> parameters() {
        return List.of();
    }

    /** Non-trainable state by local name (BatchNorm's running_mean, running_var), to save and load. */
    default Map<String, Tensor> buffers() {
        return Map.of();
    }

    /** Fills the parameters from {@code rng} with {@code init} (weights) and zeros (biases). */
    default void initialize(Initializer init, SplittableRandom rng) {
    }
}
