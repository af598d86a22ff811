package backprop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Sigmoid;
import backprop.loss.Losses;
import backprop.loss.MultiClassHinge;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.List;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * Small examples whose numbers are worked out by hand in the comments. Tolerance 1e-6 absolute
 * on values of order 1: float32 keeps ~7 significant digits and each example is a handful of
 * operations; the hand values are written to 9 digits.
 */
class WorkedExamplesTest {
    static final float TOL = 1e-6f;

    @Test
    void deltaRuleOnAThreeInputSigmoidUnit() {
        // x = (1, 0.5, −1), w = (0.5, −0.5, 0.3), y = 1, η = 0.5
        // h = 0.5 − 0.25 − 0.3 = −0.05
        // ŷ = σ(−0.05) = 1/(1 + e^0.05) = 0.487502604
        // error = y − ŷ = 0.512497396
        // error_term = error·ŷ(1 − ŷ) = 0.512497396 · 0.249843815 = 0.128044305
        // Δw = η·error_term·x = (0.064022152, 0.032011076, −0.064022152)
        // w' = (0.564022152, −0.467988924, 0.235977848)
        Network unit = new Network(3).add(new Dense(3, 1, false)).add(new Sigmoid());
        unit.parameter("dense0.weight").value().copyFrom(Tensor.of(new float[] {0.5f, -0.5f, 0.3f}, 1, 3));
        Trainer t = new Trainer(unit, Losses.byName("mse_half"), new Sgd(unit, 0.5f));
        Tensor x = Tensor.of(new float[] {1f, 0.5f, -1f}, 1, 3);
        Tensor y = Tensor.of(new float[] {1f}, 1, 1);
        double e = t.step(x, y);
        // E = ½·error² = ½·0.512497396² = 0.131326792
        assertEquals(0.131326792, e, TOL);
        assertEquals(0.487502604f, unit.output(1).data()[0], TOL);
        assertArrayEquals(new float[] {0.564022152f, -0.467988924f, 0.235977848f}, unit.parameter("dense0.weight").value().data(), TOL);

        // the notes' error term, from the hand values above
        float errorTerm = 0.512497396f * 0.487502604f * (1 - 0.487502604f);
        assertEquals(0.128044305f, errorTerm, TOL);
    }

    @Test
    void momentumSteps() {
        // w = (1, −2), μ = 0.9, lr = 0.1
        // step 1, g = (0.5, −1):  v = 0.9·0 + g = (0.5, −1),  w = w − 0.1·v = (0.95, −1.9)
        // step 2, g = (0.2, 0.4): v = 0.9·(0.5, −1) + (0.2, 0.4) = (0.65, −0.5),  w = (0.95 − 0.065, −1.9 + 0.05) = (0.885, −1.85)
        Parameter w = new Parameter("w", Tensor.of(new float[] {1f, -2f}, 2), true);
        Sgd sgd = new Sgd(List.of(w), 0.1f).momentum(0.9f);
        w.gradient().copyFrom(Tensor.of(new float[] {0.5f, -1f}, 2));
        sgd.step();
        assertArrayEquals(new float[] {0.95f, -1.9f}, w.value().data(), TOL);
        w.gradient().copyFrom(Tensor.of(new float[] {0.2f, 0.4f}, 2));
        sgd.step();
        assertArrayEquals(new float[] {0.65f, -0.5f}, sgd.velocity("w").data(), TOL);
        assertArrayEquals(new float[] {0.885f, -1.85f}, w.value().data(), TOL);
    }

    @Test
    void momentumStepWithL2AndL1() {
        // w = (1, −2), g = (0.5, −1), λ₂ = 0.1, λ₁ = 0.01, μ = 0.9, lr = 0.1
        // g' = g + λ₂·w + λ₁·sign(w) = (0.5 + 0.1 + 0.01, −1 − 0.2 − 0.01) = (0.61, −1.21)
        // v = g',  w = w − 0.1·v = (0.939, −1.879)
        Parameter w = new Parameter("w", Tensor.of(new float[] {1f, -2f}, 2), true);
        Parameter b = new Parameter("b", Tensor.of(new float[] {1f}, 1), false);
        Sgd sgd = new Sgd(List.of(w, b), 0.1f).momentum(0.9f).regularization(Regularization.of(0.01f, 0.1f));
        w.gradient().copyFrom(Tensor.of(new float[] {0.5f, -1f}, 2));
        b.gradient().copyFrom(Tensor.of(new float[] {0.5f}, 1));
        sgd.step();
        assertArrayEquals(new float[] {0.939f, -1.879f}, w.value().data(), TOL);
        // the bias is not regularized: b = 1 − 0.1·0.5 = 0.95
        assertArrayEquals(new float[] {0.95f}, b.value().data(), TOL);
    }

    @Test
    void batchNormForwardOnFourNumbers() {
        // one feature, x = (1, 2, 3, 6), γ = 2, β = 0.5, eps = 1e-5
        // μ = 12/4 = 3; deviations (−2, −1, 0, 3); σ² = (4 + 1 + 0 + 9)/4 = 3.5 (biased)
        // √(3.5 + 1e-5) = 1.870831366
        // x̂ = (−1.069043440, −0.534521720, 0, 1.603565161)
        // y = 2·x̂ + 0.5 = (−1.638086881, −0.569043440, 0.5, 3.707130321)
        // running_mean = 0.9·0 + 0.1·3 = 0.3; running_var = 0.9·1 + 0.1·(14/3) = 1.366666667
        BatchNorm bn = new BatchNorm(1);
        bn.gamma().value().fill(2f);
        bn.beta().value().fill(0.5f);
        Tensor y = bn.forward(Tensor.of(new float[] {1f, 2f, 3f, 6f}, 4, 1), true);
        assertArrayEquals(new float[] {-1.638086881f, -0.569043440f, 0.5f, 3.707130321f}, y.data(), 2 * TOL);
        assertEquals(0.3f, bn.runningMean().data()[0], TOL);
        assertEquals(1.366666667f, bn.runningVar().data()[0], TOL);
        // evaluation uses the running statistics: (3 − 0.3)/√(1.366666667 + 1e-5)·2 + 0.5 = 5.119072...
        Tensor e = bn.forward(Tensor.of(new float[] {3f}, 1, 1), false);
        assertEquals((float) ((3 - 0.3) / Math.sqrt(1.366666667 + 1e-5) * 2 + 0.5), e.data()[0], 2 * TOL);
    }

    @Test
    void hingeOnThreeClasses() {
        // scores (3.2, 5.1, −1.7), true class 0:
        //   max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9 + 0 = 2.9
        // scores (1.3, 4.9, 2.0), true class 1: max(0, 1.3 − 4.9 + 1) + max(0, 2.0 − 4.9 + 1) = 0
        // scores (2.2, 2.5, −3.1), true class 2: (2.2 + 3.1 + 1) + (2.5 + 3.1 + 1) = 6.3 + 6.6 = 12.9
        // mean = (2.9 + 0 + 12.9)/3 = 5.266666667
        MultiClassHinge hinge = new MultiClassHinge();
        Tensor s = Tensor.of(new float[] {3.2f, 5.1f, -1.7f, 1.3f, 4.9f, 2.0f, 2.2f, 2.5f, -3.1f}, 3, 3);
        Tensor labels = Tensor.of(new float[] {0, 1, 2}, 3);
        assertEquals(5.266666667, hinge.forward(s, labels), 1e-5); // 1e-5: the scores themselves are rounded to float
        // subgradient/3: row 0 (−1, 1, 0), row 1 (0, 0, 0), row 2 (1, 1, −2)
        float third = 1f / 3;
        assertArrayEquals(new float[] {-third, third, 0, 0, 0, 0, third, third, -2 * third}, hinge.backward().data(), TOL);
    }
}
