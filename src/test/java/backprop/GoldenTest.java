package backprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.loss.Losses;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Sgd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tensor.Tensor;

/**
 * nabla in float32 against PyTorch's float64 golden vectors (src/test/resources/golden, a copy of
 * ../shared/golden): forward, loss, every gradient, one SGD step, two momentum steps, for a
 * 5-4-3 network with sigmoid + softmax cross-entropy and with ReLU + MSE.
 *
 * <p>Tolerance: |nabla − reference| ≤ 2e-6·max(1, max|reference| of the tensor). The inputs and
 * parameters have 3 decimals, which float32 stores with a relative error up to 6e-8; every value
 * here is a chain of at most ~4 products and sums of ≤ 6 terms of order 1 (plus exp), each rounding
 * at 6e-8 of the running sum, so ~10–20 roundings: ≈ 1e-6 of the tensor's scale. 2e-6 leaves a
 * factor 2 of margin; the largest error observed is 1.3e-7 (a forward value of order 1).
 */
class GoldenTest {
    static final double TOL = 2e-6;

    static Object load(String name) throws IOException {
        try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            if (in == null) throw new IOException("golden file /golden/" + name + ".json is not on the test classpath");
            return Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static void assertClose(String what, double[] expected, Tensor actual) {
        Tensor a = actual.contiguous() ? actual : actual.copy();
        assertEquals(expected.length, a.size(), what + ": size");
        double scale = 1;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(a.data()[a.offset() + i] - expected[i]);
            int k = i;
            double sc = scale;
            assertTrue(err <= TOL * scale, () -> what + "[" + k + "]: nabla " + a.data()[a.offset() + k]
                    + " vs PyTorch " + expected[k] + " (error " + err + ", tolerance " + TOL * sc + ")");
        }
    }

    static void assertClose(String what, double expected, double actual) {
        assertTrue(Math.abs(expected - actual) <= TOL * Math.max(1, Math.abs(expected)),
                () -> what + ": nabla " + actual + " vs PyTorch " + expected);
    }

    /** The 5-4-3 network of the case, with the file's parameters. */
    static Network network(Object golden, boolean sigmoid) {
        Network net = new Network(5).add(new Dense(5, 4)).add(sigmoid ? new Sigmoid() : new ReLU()).add(new Dense(4, 3));
        Map<String, Object> p = Json.object(golden, "params");
        net.parameter("dense0.weight").value().copyFrom(Tensor.of(Json.floats(p, "W1"), 4, 5));
        net.parameter("dense0.bias").value().copyFrom(Tensor.of(Json.floats(p, "b1"), 4));
        net.parameter("dense2.weight").value().copyFrom(Tensor.of(Json.floats(p, "W2"), 3, 4));
        net.parameter("dense2.bias").value().copyFrom(Tensor.of(Json.floats(p, "b2"), 3));
        return net;
    }

    static final String[][] PARAMS = {{"W1", "dense0.weight"}, {"b1", "dense0.bias"}, {"W2", "dense2.weight"}, {"b2", "dense2.bias"}};

    static void assertParams(String what, Object expected, Network net) {
        for (String[] p : PARAMS) assertClose(what + " " + p[0], Json.doubles(expected, p[0]), net.parameter(p[1]).value());
    }

    static void assertGrads(String what, Object expected, Network net) {
        for (String[] p : PARAMS) assertClose(what + " ∂E/∂" + p[0], Json.doubles(expected, p[0]), net.parameter(p[1]).gradient());
    }

    static Tensor targets(Object golden, boolean classes) {
        float[] t = Json.floats(golden, "targets");
        return classes ? Tensor.of(t, 6) : Tensor.of(t, 6, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid_softmax_ce", "relu_mse"})
    void forwardLossGradientsAndOneSgdStep(String name) throws IOException {
        Object g = load(name);
        boolean ce = name.startsWith("sigmoid");
        Network net = network(g, ce);
        Loss loss = Losses.byName(ce ? "softmax_ce" : "mse");
        Tensor x = Tensor.of(Json.floats(g, "inputs"), 6, 5), y = targets(g, ce);

        Tensor out = net.forward(x, true);
        Map<String, Object> fwd = Json.object(g, "forward");
        assertClose("h1_preact", Json.doubles(fwd, "h1_preact"), net.output(0));
        assertClose("a1", Json.doubles(fwd, "a1"), net.output(1));
        assertClose("out_preact", Json.doubles(fwd, "out_preact"), out);
        double e = loss.forward(out, y);
        assertClose("loss", Json.number(g, "loss"), e);
        if (ce) assertClose("softmax", Json.doubles(fwd, "softmax"), ((SoftmaxCrossEntropy) loss).probabilities());

        net.backward(loss.backward());
        assertGrads("", Json.object(g, "grads"), net);
        Map<String, Object> inter = Json.object(g, "intermediate_grads");
        assertClose("∂E/∂out_preact", Json.doubles(inter, "dL_dout_preact"), loss.backward());
        assertClose("∂E/∂a1", Json.doubles(inter, "dL_da1"), net.inputGradient(2));
        assertClose("∂E/∂h1_preact", Json.doubles(inter, "dL_dh1_preact"), net.inputGradient(1));

        Map<String, Object> sgd = Json.object(g, "sgd_step");
        new Sgd(net, (float) Json.number(sgd, "lr")).step();
        assertParams("after one SGD step:", Json.object(sgd, "params_after"), net);
        assertClose("loss after the step", Json.number(sgd, "loss_after"), loss.forward(net.forward(x, true), y));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid_softmax_ce", "relu_mse"})
    void twoMomentumSteps(String name) throws IOException {
        Object g = load(name);
        boolean ce = name.startsWith("sigmoid");
        Network net = network(g, ce);
        Loss loss = Losses.byName(ce ? "softmax_ce" : "mse");
        Tensor x = Tensor.of(Json.floats(g, "inputs"), 6, 5), y = targets(g, ce);
        Map<String, Object> m = Json.object(g, "momentum_2steps");
        Sgd sgd = new Sgd(net, (float) Json.number(m, "lr")).momentum((float) Json.number(m, "momentum"));
        Trainer trainer = new Trainer(net, loss, sgd);
        for (String step : new String[] {"step1", "step2"}) {
            Map<String, Object> s = Json.object(m, step);
            double e = trainer.step(x, y);
            assertClose(step + " loss", Json.number(s, "loss"), e);
            assertGrads(step, Json.object(s, "grads"), net);
            for (String[] p : PARAMS) {
                assertClose(step + " velocity " + p[0], Json.doubles(Json.object(s, "velocity"), p[0]), sgd.velocity(p[1]));
            }
            assertParams(step + " params", Json.object(s, "params_after"), net);
        }
    }
}
