package backprop.init;

import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * How a weight matrix {@code [fanOut][fanIn]} is filled before training. All draw from the one
 * generator a network is initialized with, in layer order, so a seed reproduces the weights bit
 * for bit. Biases start at zero.
 */
public enum Initializer {
    /** Normal(0, σ²) with σ = 1/√fan_in: the notes' recommendation, keeps hidden inputs of order 1. */
    NORMAL_FAN_IN {
        @Override
        public void fill(float[] w, int off, int fanIn, int fanOut, SplittableRandom rng) {
            // σ = 1/√fan_in
            Tensor.fillNormal(w, off, fanIn * fanOut, (float) (1.0 / Math.sqrt(fanIn)), rng);
        }
    },
    /** Glorot/Xavier uniform: U(−a, a), a = √(6/(fan_in + fan_out)) (PyTorch xavier_uniform_). */
    XAVIER_UNIFORM {
        @Override
        public void fill(float[] w, int off, int fanIn, int fanOut, SplittableRandom rng) {
            // a = √(6/(fan_in + fan_out))
            uniform(w, off, fanIn * fanOut, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
        }
    },
    /** Glorot/Xavier normal: σ = √(2/(fan_in + fan_out)) (PyTorch xavier_normal_). */
    XAVIER_NORMAL {
        @Override
        public void fill(float[] w, int off, int fanIn, int fanOut, SplittableRandom rng) {
            // σ = √(2/(fan_in + fan_out))
            Tensor.fillNormal(w, off, fanIn * fanOut, (float) Math.sqrt(2.0 / (fanIn + fanOut)), rng);
        }
    },
    /** He/Kaiming normal for ReLU: σ = √(2/fan_in) (PyTorch kaiming_normal_, fan_in mode). */
    HE_NORMAL {
        @Override
        public void fill(float[] w, int off, int fanIn, int fanOut, SplittableRandom rng) {
            // σ = √(2/fan_in)
            Tensor.fillNormal(w, off, fanIn * fanOut, (float) Math.sqrt(2.0 / fanIn), rng);
        }
    },
    /** He/Kaiming uniform: U(−a, a), a = √(6/fan_in). */
    HE_UNIFORM {
        @Override
        public void fill(float[] w, int off, int fanIn, int fanOut, SplittableRandom rng) {
            // a = √(6/fan_in)
            uniform(w, off, fanIn * fanOut, Math.sqrt(6.0 / fanIn), rng);
        }
    };

    /** Fills {@code w[off, off + fanIn·fanOut)} for a {@code [fanOut][fanIn]} weight matrix. */
    public abstract void fill(float[] w, int off, int fanIn, int fanOut, SplittableRandom rng);

    /** The initializer for a name: normal, xavier, xavier_normal, he, he_uniform (case-insensitive). */
    public static Initializer byName(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "normal": case "normal_fan_in": return NORMAL_FAN_IN;
            case "xavier": case "glorot": case "xavier_uniform": return XAVIER_UNIFORM;
            case "xavier_normal": case "glorot_normal": return XAVIER_NORMAL;
            case "he": case "kaiming": case "he_normal": return HE_NORMAL;
            case "he_uniform": case "kaiming_uniform": return HE_UNIFORM;
            default: throw new IllegalArgumentException("unknown initializer '" + name
                    + "'; known: normal, xavier, xavier_normal, he, he_uniform");
        }
    }

    private static void uniform(float[] w, int off, int n, double a, SplittableRandom rng) {
        for (int i = 0; i < n; i++) w[off + i] = (float) ((2 * rng.nextDouble() - 1) * a);
    }
}
