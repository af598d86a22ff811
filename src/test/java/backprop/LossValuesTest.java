package backprop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import backprop.loss.Losses;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * Each loss's value and gradient on a tiny example worked out by hand, which pins its convention
 * (mean over elements, over rows, or a sum; the ½) to the definition PyTorch or the notes use.
 * Tolerance 1e-6: values of order 1 after a few float32 operations (ε = 6e-8 each).
 */
class LossValuesTest {
    static final float TOL = 1e-6f;
    // ŷ − y = (−0.5, 0, 0 | 1, −1, 0): Σ(ŷ − y)² = 2.25, Σ|ŷ − y| = 2.5, B = 2 rows, K = 3 outputs
    static final Tensor PRED = Tensor.of(new float[] {1, 2, 0, 3, 4, 1}, 2, 3);
    static final Tensor TARGET = Tensor.of(new float[] {1.5f, 2, 0, 2, 5, 1}, 2, 3);

    static float[] grad(String loss, Tensor p, Tensor t, double expectedValue) {
        Loss l = Losses.byName(loss);
        assertEquals(expectedValue, l.forward(p, t), TOL, loss);
        return l.backward().data();
    }

    @Test
    void squaredErrorConventions() {
        // mse (PyTorch): 2.25/(B·K) = 2.25/6 = 0.375; gradient 2(ŷ − y)/6
        assertArrayEquals(new float[] {-1f / 6, 0, 0, 1f / 3, -1f / 3, 0}, grad("mse", PRED, TARGET, 0.375), TOL);
        // mse_half (the notes): 2.25/(2·B) = 0.5625; gradient (ŷ − y)/B
        assertArrayEquals(new float[] {-0.25f, 0, 0, 0.5f, -0.5f, 0}, grad("mse_half", PRED, TARGET, 0.5625), TOL);
        // sse: ½·2.25 = 1.125; gradient ŷ − y
        assertArrayEquals(new float[] {-0.5f, 0, 0, 1, -1, 0}, grad("sse", PRED, TARGET, 1.125), TOL);
        // l1: 2.5/6 = 0.416667; gradient sign(ŷ − y)/6, sign(0) = 0
        assertArrayEquals(new float[] {-1f / 6, 0, 0, 1f / 6, -1f / 6, 0}, grad("l1", PRED, TARGET, 2.5 / 6), TOL);
    }

    @Test
    void binaryCrossEntropyFromLogits() {
        // z = (0, 2), y = (1, 0): ℓ = log 2 = 0.693147 and 2 + log(1 + e^−2) = 2.126928; mean 1.410038
        // gradient (σ(z) − y)/2 = (−0.25, 0.880797/2 = 0.440399)
        float[] g = grad("bce_logits", Tensor.of(new float[] {0, 2}, 1, 2), Tensor.of(new float[] {1, 0}, 1, 2), 1.410037596);
        assertArrayEquals(new float[] {-0.25f, 0.440398539f}, g, TOL);
        // stable at large logits: z = 100, y = 0 gives 100 (not log 0 = −∞)
        assertEquals(100.0, Losses.byName("bce_logits").forward(Tensor.of(new float[] {100}, 1, 1), Tensor.of(new float[] {0}, 1, 1)), 1e-4);
    }

    @Test
    void softmaxCrossEntropyWithLabelsAndDistributions() {
        // z = (1, 2, 3): log Σ e^z = 3.407606; label 2: E = 3.407606 − 3 = 0.407606
        // p = (0.090031, 0.244728, 0.665241); gradient p − onehot(2)
        Tensor z = Tensor.of(new float[] {1, 2, 3}, 1, 3);
        assertArrayEquals(new float[] {0.090030573f, 0.244728471f, 0.665240956f - 1},
                grad("softmax_ce", z, Tensor.of(new float[] {2}, 1), 0.407605964), TOL);
        // target (0.5, 0, 0.5): E = −(0.5·(1 − 3.407606) + 0.5·(3 − 3.407606)) = 1.407606; gradient p − t
        assertArrayEquals(new float[] {0.090030573f - 0.5f, 0.244728471f, 0.665240956f - 0.5f},
                grad("softmax_ce", z, Tensor.of(new float[] {0.5f, 0, 0.5f}, 1, 3), 1.407605964), TOL);
        // no overflow at large logits: z = (1000, 0), label 0 → E = log(1 + e^−1000) = 0
        assertEquals(0.0, Losses.byName("softmax_ce").forward(Tensor.of(new float[] {1000, 0}, 1, 2), Tensor.of(new float[] {0}, 1)), 1e-6);
    }

    @Test
    void negativeLogLikelihood() {
        // log p = (−1.2, −0.4, −2.0 | −0.1, −3, −2.5), labels (1, 0): E = (0.4 + 0.1)/2 = 0.25; gradient −1/B at the label
        float[] g = grad("nll", Tensor.of(new float[] {-1.2f, -0.4f, -2f, -0.1f, -3f, -2.5f}, 2, 3), Tensor.of(new float[] {1, 0}, 2), 0.25);
        assertArrayEquals(new float[] {0, -0.5f, 0, -0.5f, 0, 0}, g, TOL);
    }
}
