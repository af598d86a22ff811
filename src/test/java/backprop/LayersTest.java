package backprop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.Softmax;
import backprop.loss.SoftmaxCrossEntropy;
import kernels.Sgemm;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/** Forward values and the buffer contract of the layers (their gradients are in GradientCheckTest). */
class LayersTest {
    @Test
    void denseIsXTimesWTransposedPlusB() {
        Dense d = new Dense(5, 3);
        Network net = new Network(5).add(d).initialize(Initializer.XAVIER_UNIFORM, 1);
        d.bias().value().copyFrom(Tensor.of(new float[] {0.1f, -0.2f, 0.3f}, 3));
        Tensor x = TestData.uniform(2, 1f, 7, 5);
        Tensor h = net.forward(x, true);
        float[] ref = new float[7 * 3];
        Sgemm.ref(false, true, 7, 3, 5, 1f, x.data(), 0, 5, d.weight().value().data(), 0, 5, 0f, ref, 0, 3);
        // 1e-6: five products of values ≤ 1 (and a bias), summed in a different order than the reference
        for (int r = 0; r < 7; r++) for (int j = 0; j < 3; j++) assertEquals(ref[r * 3 + j] + d.bias().value().data()[j], h.get(r, j), 1e-6f);
    }

    @Test
    void buffersAreReusedForTheSameBatchSize() {
        Network net = new Network(4).add(new Dense(4, 3)).add(new LeakyReLU()).initialize(Initializer.HE_NORMAL, 1);
        Tensor a = net.forward(TestData.uniform(1, 1f, 8, 4), true);
        Tensor b = net.forward(TestData.uniform(2, 1f, 8, 4), true);
        assertSame(a, b, "same batch size, same output buffer");
        Tensor c = net.forward(TestData.uniform(3, 1f, 5, 4), true);
        assertEquals(5, c.dim(0));
        assertSame(a.data(), c.data(), "a smaller batch is a view over the same storage");
    }

    @Test
    void softmaxLayersAgreeWithTheFusedLoss() {
        Tensor z = TestData.uniform(4, 5f, 6, 7);
        Tensor p = new Softmax().forward(z, true);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        ce.forward(z, TestData.labels(1, 6, 7));
        assertArrayEquals(ce.probabilities().data(), p.data(), 1e-7f); // the same exp, the same order: equal to rounding
        Tensor logp = new LogSoftmax().forward(z, true);
        // 2e-6: log p is of order 1..10 here, a float log is within 1 ulp ≈ 1e-6 of it
        for (int i = 0; i < p.size(); i++) assertEquals(Math.log(p.data()[i]), logp.data()[i], 2e-6);
        for (int r = 0; r < 6; r++) {
            float s = 0;
            for (int j = 0; j < 7; j++) s += p.get(r, j);
            assertEquals(1f, s, 1e-6f); // 7 terms rounded at 6e-8
        }
    }

    @Test
    void leakyReluDefaultSlopeIsPyTorchs() {
        Tensor y = new LeakyReLU().forward(Tensor.of(new float[] {-2f, 3f}, 1, 2), true);
        assertArrayEquals(new float[] {-0.02f, 3f}, y.data(), 1e-9f);
    }

    @Test
    void dropoutIsInvertedSeededAndOffInEvaluation() {
        Tensor x = Tensor.zeros(100, 100).fill(1f);
        Dropout d = new Dropout(0.25f, 7);
        Tensor y = d.forward(x, true);
        int kept = 0;
        for (float v : y.data()) {
            assertTrue(v == 0f || v == 1f / 0.75f, "kept values are scaled by 1/(1 − p): " + v);
            if (v != 0f) kept++;
        }
        // 10000 Bernoulli(0.75) draws: mean 7500, std 43; 5 std = ±217
        assertEquals(7500, kept, 217);
        float[] first = y.copy().data();
        assertArrayEquals(first, new Dropout(0.25f, 7).forward(x, true).data(), "same seed, same mask");
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(d.forward(x, true).data()), "a new mask each step");
        assertSame(x, d.forward(x, false), "evaluation: the identity");
        Tensor g = Tensor.zeros(100, 100).fill(2f);
        float[] mask = d.forward(x, true).copy().data(); // x = 1, so the output is the mask
        Tensor dx = d.backward(g);
        // ∂E/∂x = ∂E/∂y · mask, exactly
        for (int i = 0; i < dx.size(); i++) assertEquals(2f * mask[i], dx.data()[i]);
    }
}
