package backprop;

/**
 * A layer that can also run its forward pass in double precision, so that {@link GradientCheck}
 * takes its finite differences in double. The pass is pure: it reads the parameter values from
 * {@code params} (double copies, in the order of {@link Layer#parameters()}), uses the state of
 * the last float forward where the layer is random (Dropout's mask), and changes nothing.
 */
public interface DoubleForward {
    /** The forward pass of a row-major {@code [batch][inputFeatures]} input, in double. */
    double[] forward64(double[] input, int batch, double[][] params, boolean training);
}
