package app.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import app.train.ModelSpec;
import backprop.Network;
import backprop.Parameter;
import backprop.init.Initializer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/** The serving forward pass (Wᵀ stored once) gives Network.forward's bits for every batch size the batcher runs. */
class ServingForwardTest {
    @Test
    void sameBitsAsNetworkForward() {
        // widths that are and are not multiples of the micro-tile; with bias, batch norm, every head
        for (String[] m : new String[][] {{"784-256-128-10", "relu", "ce"}, {"64-37-10", "tanh", "nll"}, {"20-33-17-3", "leaky-relu", "mse"}}) {
            ModelSpec spec = new ModelSpec(ModelSpec.parseSizes(m[0]), m[1], m[2], 0.25f, m[1].equals("tanh"));
            Network net = spec.build();
            net.initialize(Initializer.HE_NORMAL, 7);
            SplittableRandom rng = new SplittableRandom(11);
            for (Parameter p : net.parameters()) { // a bias of zeros would not test the fused bias
                float[] v = p.value().data();
                for (int i = 0; i < v.length; i++) v[i] += (float) (0.1 * rng.nextGaussian());
            }
            ServingForward serving = new ServingForward(net);
            int in = spec.inputs();
            for (int rows : new int[] {3, 4, 7, 13, 32, 33, 100}) {
                float[] x = new float[rows * in];
                for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
                float[] want = net.forward(Tensor.ofSlice(x.clone(), 0, rows, in), false).copy().data();
                float[] got = serving.forward(Tensor.ofSlice(x.clone(), 0, rows, in)).copy().data();
                assertArrayEquals(bits(want), bits(got), m[0] + " " + rows + " rows");
            }
        }
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }
}
