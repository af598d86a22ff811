package app.train;

import java.util.Arrays;
import java.util.Map;
import tensor.Tensor;

/**
 * Refuses non-finite numbers where an inference path reads them (inputs, weights, normalization
 * statistics): a NaN in would be a NaN probability out, printed as if it were an answer.
 */
public final class Finite {
    private Finite() {}

    /**
     * Throws naming {@code what}, the row and column (1-based, as a user counts) of the first NaN or
     * infinity of {@code t}, read as a matrix of its first axis by the rest.
     */
    public static void require(String what, Tensor t) {
        Tensor c = t.contiguous() ? t : t.copy();
        int rows = t.rank() == 0 ? 1 : t.dim(0);
        int columns = rows == 0 ? 0 : c.size() / rows;
        float[] d = c.data();
        for (int i = 0; i < c.size(); i++) {
            float v = d[c.offset() + i];
            if (!Float.isFinite(v)) {
                String at = t.rank() <= 1 ? "element " + (i + 1) : "row " + (i / columns + 1) + ", column " + (i % columns + 1);
                throw new IllegalArgumentException(what + " " + Arrays.toString(t.shape()) + ": " + at + " is " + v
                        + "; only finite numbers can be used");
            }
        }
    }

    /** {@link #require} for each model tensor of a checkpoint (optimizer state and best copies are not read by inference). */
    static void requireModel(String source, Map<String, Tensor> tensors) {
        tensors.forEach((name, t) -> {
            if (Checkpoint.isModelTensor(name)) require(source + ": tensor '" + name + "'", t);
        });
    }
}
