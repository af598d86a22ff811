package backprop.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tensor.Tensor;

/** {@code --balance weights}: E = Σ w_c·e_b / Σ w_c, worked by hand on two rows. */
class ClassWeightedTest {
    @Test
    void balancedWeightsAreNOverClassesTimesTheClassCount() {
        // n = 4, K = 2 present classes (class 2 absent): w_0 = 4/(2·3), w_1 = 4/(2·1), w_2 = 0
        assertArrayEquals(new float[] {4f / 6, 2f, 0f}, ClassWeighted.balanced(new int[] {0, 0, 0, 1}, 3), 1e-7f);
    }

    @Test
    void theLossIsTheWeightedMeanOfTheRowLossesAndTheGradientIsScaledAlike() {
        float[] z = {1f, 2f, 0.5f, -1f};
        Tensor p = Tensor.of(z.clone(), 2, 2);
        Tensor t = Tensor.of(new float[] {0f, 1f}, 2);
        // row losses of softmax CE: e_0 = log(e^1 + e^2) − 1, e_1 = log(e^0.5 + e^−1) + 1
        double e0 = Math.log(Math.exp(1) + Math.exp(2)) - 1, e1 = Math.log(Math.exp(0.5) + Math.exp(-1)) + 1;
        ClassWeighted w = new ClassWeighted(new SoftmaxCrossEntropy(), new float[] {1f, 3f});
        assertEquals((1 * e0 + 3 * e1) / 4, w.forward(p, t), 1e-6);
        Tensor g = w.backward();
        // ∂e_b/∂z = p − onehot; scaled by w_b/Σw
        double p00 = Math.exp(1) / (Math.exp(1) + Math.exp(2)), p10 = Math.exp(0.5) / (Math.exp(0.5) + Math.exp(-1));
        float[] want = {(float) (0.25 * (p00 - 1)), (float) (0.25 * (1 - p00)), (float) (0.75 * p10), (float) (0.75 * (1 - p10 - 1))};
        assertArrayEquals(want, java.util.Arrays.copyOf(g.data(), 4), 1e-6f);
    }

    @Test
    void equalWeightsGiveTheInnerLossAndGradient() {
        Tensor p = Tensor.of(new float[] {0.3f, -0.2f, 1.1f, 0.9f, 0.1f, -0.7f}, 2, 3);
        Tensor t = Tensor.of(new float[] {2f, 0f}, 2);
        SoftmaxCrossEntropy plain = new SoftmaxCrossEntropy();
        double want = plain.forward(p, t);
        float[] wantGrad = java.util.Arrays.copyOf(plain.backward().data(), 6);
        ClassWeighted w = new ClassWeighted(new SoftmaxCrossEntropy(), new float[] {2f, 2f, 2f});
        assertEquals(want, w.forward(p, t), 1e-6);
        assertArrayEquals(wantGrad, java.util.Arrays.copyOf(w.backward().data(), 6), 1e-6f);
    }
}
