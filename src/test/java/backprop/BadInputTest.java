package backprop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.init.Initializer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.ReLU;
import backprop.loss.Losses;
import backprop.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import tensor.Tensor;

/** Bad input gets a clear exception that names the layer, the expected and the actual shape or value. */
class BadInputTest {
    static void fails(Class<? extends Throwable> type, Executable e, String... mustMention) {
        Throwable t = assertThrows(type, e);
        for (String s : mustMention) assertTrue(t.getMessage().contains(s), "message '" + t.getMessage() + "' lacks '" + s + "'");
    }

    @Test
    void layersThatDoNotFitTheirNeighbour() {
        Network net = new Network(64).add(new Dense(64, 32)).add(new ReLU());
        fails(IllegalArgumentException.class, () -> net.add(new Dense(64, 10)), "dense2", "relu1", "64", "32");
        fails(IllegalArgumentException.class, () -> new Network(10).add(new BatchNorm(4)), "batchnorm0", "4", "10");
        fails(IllegalArgumentException.class, () -> net.add("dense0", new Dense(32, 2)), "dense0", "already");
    }

    @Test
    void inputOfTheWrongShape() {
        Network net = new Network(5).add(new Dense(5, 3)).initialize(Initializer.HE_NORMAL, 1);
        fails(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(4, 6), true), "network input", "[batch, 5]", "[4, 6]");
        fails(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(20), true), "[20]");
        Dense d = new Dense(5, 3);
        fails(IllegalArgumentException.class, () -> d.forward(Tensor.zeros(2, 4), true), "Dense 5→3", "[batch, 5]", "[2, 4]");
        d.forward(Tensor.zeros(2, 5), true);
        fails(IllegalArgumentException.class, () -> d.backward(Tensor.zeros(2, 4)), "Dense 5→3", "[2, 3]", "[2, 4]");
        net.forward(Tensor.zeros(2, 5), true);
        fails(IllegalArgumentException.class, () -> net.backward(Tensor.zeros(3, 3)), "[3, 3]", "[2, 3]");
        fails(IllegalStateException.class, () -> new Dense(2, 2).backward(Tensor.zeros(1, 2)), "before forward");
    }

    @Test
    void labelsOutsideTheClassRange() {
        Loss ce = Losses.byName("softmax_ce");
        Tensor p = Tensor.zeros(3, 4);
        fails(IllegalArgumentException.class, () -> ce.forward(p, Tensor.of(new float[] {0, 4, 1}, 3)), "label 4.0", "row 1", "4 classes");
        fails(IllegalArgumentException.class, () -> ce.forward(p, Tensor.of(new float[] {0, -1, 1}, 3)), "label -1.0");
        fails(IllegalArgumentException.class, () -> ce.forward(p, Tensor.of(new float[] {0, 1.5f, 1}, 3)), "label 1.5");
        fails(IllegalArgumentException.class, () -> ce.forward(p, Tensor.of(new float[] {0, Float.NaN, 1}, 3)), "label NaN");
        fails(IllegalArgumentException.class, () -> ce.forward(p, Tensor.of(new float[] {0, 1}, 2)), "2 labels", "batch of 3");
        fails(IllegalArgumentException.class, () -> Losses.byName("hinge").forward(p, Tensor.of(new float[] {0, 9, 1}, 3)), "label 9.0");
        fails(IllegalArgumentException.class, () -> Losses.byName("nll").forward(p, Tensor.of(new float[] {3, 3, 7}, 3)), "row 2");
        fails(IllegalArgumentException.class, () -> Losses.byName("mse").forward(p, Tensor.zeros(3, 5)), "[3, 5]", "[3, 4]");
        fails(IllegalArgumentException.class, () -> Losses.byName("nope"), "unknown loss", "mse_half");
    }

    @Test
    void nonFiniteLossNamesTheElement() {
        Tensor p = Tensor.zeros(2, 2);
        p.data()[3] = Float.POSITIVE_INFINITY;
        fails(ArithmeticException.class, () -> Losses.byName("mse").forward(p, Tensor.zeros(2, 2)), "mse", "prediction[1][1] = Infinity");
    }

    @Test
    void badHyperparameters() {
        fails(IllegalArgumentException.class, () -> new Dropout(1f), "[0, 1)");
        fails(IllegalArgumentException.class, () -> new BatchNorm(3).forward(Tensor.zeros(1, 3), true), "more than 1 row");
        Network net = new Network(2).add(new Dense(2, 2));
        fails(IllegalArgumentException.class, () -> new Sgd(net, -0.1f), "learning rate");
        fails(IllegalArgumentException.class, () -> new Sgd(net, 0.1f).momentum(1f), "momentum");
        fails(IllegalArgumentException.class, () -> new Dense(0, 3), "in=0");
        fails(IllegalArgumentException.class, () -> Initializer.byName("zeros"), "unknown initializer");
    }
}
