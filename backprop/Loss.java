package backprop;

import tensor.Tensor;

/**
 * A loss E(prediction, target) and its gradient ∂E/∂prediction.
 *
 * <p>{@code forward} returns the value (accumulated in double) and remembers its arguments;
 * {@code backward} then writes ∂E/∂prediction into a buffer the loss owns and reuses (valid until
 * the next call). Each loss states its averaging convention (mean over the batch, over elements,
 * or a sum) in its class comment; the gradient carries the same 1/m.
 *
 * <p>Targets are a tensor of the prediction's shape (regression targets, one-hot rows or class
 * probabilities) or, for the classification losses, {@code [batch]} class indices stored as
 * floats. A label outside {@code [0, classes)}, a shape mismatch or a non-finite value throws an
 * exception that names it.
 */
public interface Loss {
    /** The name this loss is known by ("mse", "mse_half", "softmax_ce", ...), see {@code backprop.loss.Losses}. */
    String name();

    /** E(prediction, target) for a batch {@code [batch, outputs]}. */
    double forward(Tensor prediction, Tensor target);

    /** ∂E/∂prediction for the last {@code forward}, into the loss's reused buffer. */
    Tensor backward();
}
