package backprop;

import java.util.SplittableRandom;
import tensor.Tensor;

/** Small seeded inputs for the tests. */
final class TestData {
    private TestData() {}

    /** Uniform(−scale, scale) entries. */
    static Tensor uniform(long seed, float scale, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) ((2 * rng.nextDouble() - 1) * scale);
        return t;
    }

    /** Class indices in [0, classes), stored as floats. */
    static Tensor labels(long seed, int batch, int classes) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(batch);
        for (int i = 0; i < batch; i++) t.data()[i] = rng.nextInt(classes);
        return t;
    }

    /** Rows that are probability distributions (for soft cross-entropy targets). */
    static Tensor distributions(long seed, int batch, int classes) {
        Tensor t = uniform(seed, 1f, batch, classes);
        float[] d = t.data();
        for (int r = 0; r < batch; r++) {
            float s = 0;
            for (int j = 0; j < classes; j++) s += d[r * classes + j] = Math.abs(d[r * classes + j]) + 0.05f;
            for (int j = 0; j < classes; j++) d[r * classes + j] /= s;
        }
        return t;
    }

    /** Values in (0, 1) for binary targets. */
    static Tensor probabilities(long seed, int... shape) {
        Tensor t = uniform(seed, 0.5f, shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] += 0.5f;
        return t;
    }
}
