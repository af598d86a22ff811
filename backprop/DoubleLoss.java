package backprop;

import tensor.Tensor;

/** A loss that can also be evaluated in double precision, for {@link GradientCheck}. */
public interface DoubleLoss {
    /** E(prediction, target) for a row-major {@code [batch][outputs]} prediction in double. */
    double forward64(double[] prediction, int batch, Tensor target);
}
