package backprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.init.Initializer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Softmax;
import backprop.layers.Tanh;
import backprop.loss.Losses;
import backprop.optim.Regularization;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * Finite differences (in double) against the analytic float32 gradients, for every layer and
 * every loss, with and without L1/L2.
 *
 * <p>Tolerance 1e-3 on the max relative error: the numeric side is exact to ~1e-10 (double, h =
 * 1e-5), so the error is that of the float32 analytic gradient. An entry is a sum of at most ~50
 * products here, each rounded at ε = 6e-8, so ~3e-6 relative to the sum of |terms|; cancellation
 * can make that larger relative to the result, but the report's floor (1e-3 of the network's
 * largest derivative) bounds the amplification. Observed errors are ~1e-6 to 1e-4; a real bug (a sign,
 * a missing factor, a transposed index) gives errors of order 1.
 */
class GradientCheckTest {
    static final double TOL = 1e-3;
    static final int BATCH = 6;

    private static GradientCheck.Report check(Network net, String loss, Tensor target, Regularization reg, boolean training) {
        Tensor x = TestData.uniform(11, 1.5f, BATCH, net.inputFeatures());
        GradientCheck.Report r = new GradientCheck(net, Losses.byName(loss)).regularization(reg).training(training).run(x, target);
        assertTrue(r.maxRelativeError() < TOL, () -> r.toString());
        return r;
    }

    /** 5 → dense(5→4) → layer → dense(4→3): the layer gets a gradient from a Dense and feeds one. */
    private static Network sandwich(Supplier<backprop.Layer> layer) {
        return new Network(5).add(new Dense(5, 4)).add(layer.get()).add(new Dense(4, 3)).initialize(Initializer.XAVIER_NORMAL, 7);
    }

    @Test
    void everyLayer() {
        Tensor target = TestData.uniform(3, 1f, BATCH, 3);
        check(sandwich(Sigmoid::new), "mse", target, Regularization.NONE, true);
        check(sandwich(Tanh::new), "mse", target, Regularization.NONE, true);
        check(sandwich(ReLU::new), "mse", target, Regularization.NONE, true);
        check(sandwich(() -> new LeakyReLU(0.1f)), "mse", target, Regularization.NONE, true);
        check(sandwich(Softmax::new), "mse", target, Regularization.NONE, true);
        check(sandwich(LogSoftmax::new), "mse", target, Regularization.NONE, true);
        check(sandwich(() -> new Dropout(0.4f, 5)), "mse", target, Regularization.NONE, true);
        check(sandwich(() -> new BatchNorm(4)), "mse", target, Regularization.NONE, true);
        check(sandwich(() -> new BatchNorm(4)), "mse", target, Regularization.NONE, false);
        check(new Network(5).add(new Dense(5, 3, false)).initialize(Initializer.HE_NORMAL, 1), "mse", target, Regularization.NONE, true);
    }

    @Test
    void batchNormWithLearnedScaleAndShift() {
        Network net = sandwich(() -> new BatchNorm(4));
        BatchNorm bn = (BatchNorm) net.layers().get(1);
        Tensor.fillNormal(bn.gamma().value().data(), 0, 4, 1f, new java.util.SplittableRandom(2));
        Tensor.fillNormal(bn.beta().value().data(), 0, 4, 1f, new java.util.SplittableRandom(3));
        GradientCheck.Report r = check(net, "mse", TestData.uniform(3, 1f, BATCH, 3), Regularization.NONE, true);
        assertEquals(4, r.tensor("batchnorm1.gamma").checked());
    }

    @Test
    void everyLoss() {
        Tensor regression = TestData.uniform(3, 1f, BATCH, 3);
        Tensor labels = TestData.labels(4, BATCH, 3);
        for (String loss : new String[] {"mse", "mse_half", "sse", "l1"}) {
            check(sandwich(Tanh::new), loss, regression, Regularization.NONE, true);
        }
        check(sandwich(Tanh::new), "bce_logits", TestData.probabilities(5, BATCH, 3), Regularization.NONE, true);
        check(sandwich(Tanh::new), "softmax_ce", labels, Regularization.NONE, true);
        check(sandwich(Tanh::new), "softmax_ce", TestData.distributions(6, BATCH, 3), Regularization.NONE, true);
        check(sandwich(Tanh::new), "hinge", labels, Regularization.NONE, true);
        Network logProbs = sandwich(Tanh::new).add(new LogSoftmax());
        check(logProbs, "nll", labels, Regularization.NONE, true);
    }

    @Test
    void withL1AndL2() {
        Tensor labels = TestData.labels(4, BATCH, 3);
        Tensor target = TestData.uniform(3, 1f, BATCH, 3);
        check(sandwich(Sigmoid::new), "softmax_ce", labels, Regularization.l2(0.1f), true);
        check(sandwich(Sigmoid::new), "softmax_ce", labels, Regularization.l1(0.05f), true);
        check(sandwich(ReLU::new), "mse", target, Regularization.of(0.03f, 0.2f), true);
        check(sandwich(ReLU::new), "mse", target, Regularization.of(0.03f, 0.2f).includeBiases(), true);
        check(sandwich(() -> new BatchNorm(4)), "mse", target, Regularization.l2(0.1f), true);
    }

    @Test
    void reportNamesEveryTensorAndSkipsFrozen() {
        Network net = sandwich(Sigmoid::new).freeze("dense0.bias");
        GradientCheck.Report r = check(net, "mse", TestData.uniform(3, 1f, BATCH, 3), Regularization.NONE, true);
        String text = r.toString();
        for (String name : new String[] {"dense0.weight", "dense2.weight", "dense2.bias", "input"}) {
            assertTrue(text.contains(name), text);
        }
        assertTrue(r.tensor("dense0.bias").frozen());
        assertEquals(30, r.tensor("input").checked());
    }

    @Test
    void catchesAWrongGradient() {
        // A layer whose backward is off by a factor of 2 must fail the check.
        Network net = new Network(3).add(new Dense(3, 2)).add(new backprop.layers.Activation("badtanh") {
            @Override
            protected void apply(int n, float[] x, int xOff, float[] y) {
                kernels.Activations.tanh(n, x, xOff, y, 0);
            }

            @Override
            protected void derivative(int n, float[] x, int xOff, float[] y, float[] g, int gOff, float[] dx) {
                // wrong on purpose: 2·(1 − y²)
                for (int i = 0; i < n; i++) dx[i] = 2 * g[gOff + i] * (1 - y[i] * y[i]);
            }

            @Override
            protected double apply64(double x) {
                return Math.tanh(x);
            }
        }).add(new Dense(2, 2)).initialize(Initializer.XAVIER_NORMAL, 3);
        GradientCheck.Report r = new GradientCheck(net, Losses.byName("mse"))
                .run(TestData.uniform(1, 1f, 4, 3), TestData.uniform(2, 1f, 4, 2));
        assertTrue(r.tensor("dense0.weight").maxRelativeError() > 0.3, r::toString);
        assertTrue(r.tensor("dense2.weight").maxRelativeError() < TOL, r::toString);
    }
}
