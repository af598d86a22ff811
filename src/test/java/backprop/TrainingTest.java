package backprop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.init.Initializer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.ReLU;
import backprop.layers.Tanh;
import backprop.loss.Losses;
import backprop.optim.LearningRateSchedule;
import backprop.optim.ReduceOnPlateau;
import backprop.optim.Sgd;
import java.util.SplittableRandom;
import kernels.ThreadPool;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

class TrainingTest {
    @Test
    void overfitsTenSamplesOfSixtyFourInputsTenClasses() {
        Tensor x = TestData.uniform(1, 1f, 10, 64);
        Tensor y = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
        Network net = new Network(64).add(new Dense(64, 32)).add(new ReLU()).add(new Dense(32, 10))
                .initialize(Initializer.HE_NORMAL, 1);
        Trainer t = new Trainer(net, Losses.byName("softmax_ce"), new Sgd(net, 0.1f).momentum(0.9f));
        double loss = Double.NaN;
        int steps = 0;
        while (steps < 500 && !(loss < 1e-3)) {
            loss = t.step(x, y);
            steps++;
        }
        assertTrue(loss < 1e-3, "training loss " + loss + " after " + steps + " steps");
        Tensor p = net.predict(x);
        for (int r = 0; r < 10; r++) {
            int best = 0;
            for (int j = 1; j < 10; j++) if (p.get(r, j) > p.get(r, best)) best = j;
            assertEquals(r, best, "row " + r + " predicted");
        }
    }

    /** 50 steps of a network with dropout and batch norm, big enough for the GEMM to split across threads. */
    static float[][] fiftySteps(int threads) {
        ThreadPool.setThreads(threads);
        Network net = new Network(100).add(new Dense(100, 128)).add(new BatchNorm(128)).add(new Tanh())
                .add(new Dropout(0.2f)).add(new Dense(128, 10)).initialize(Initializer.XAVIER_UNIFORM, 2024);
        Trainer t = new Trainer(net, Losses.byName("softmax_ce"), new Sgd(net, 0.05f).momentum(0.9f));
        Tensor x = TestData.uniform(3, 1f, 256, 100), y = TestData.labels(4, 256, 10);
        SplittableRandom shuffle = new SplittableRandom(5);
        for (int epoch = 0; epoch < 13; epoch++) t.epoch(x, y, 64, shuffle); // 4 steps an epoch: 52 steps
        float[][] w = new float[net.parameters().size()][];
        for (int i = 0; i < w.length; i++) w[i] = net.parameters().get(i).value().copy().data();
        return w;
    }

    @Test
    void sameSeedGivesBitwiseTheSameWeightsWithOneAndTwoThreads() {
        int before = ThreadPool.get().threads();
        try {
            float[][] one = fiftySteps(1), two = fiftySteps(2), again = fiftySteps(1);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i], "parameter " + i + " differs between 1 and 2 threads");
                assertArrayEquals(one[i], again[i], "parameter " + i + " differs between two runs");
            }
        } finally {
            ThreadPool.setThreads(before);
        }
    }

    @Test
    void frozenLayersDoNotMove() {
        Network net = new Network(8).add(new Dense(8, 6)).add(new ReLU()).add(new Dense(6, 3)).initialize(Initializer.HE_NORMAL, 3);
        net.freeze("dense0");
        float[] w0 = net.parameter("dense0.weight").value().copy().data();
        float[] w2 = net.parameter("dense2.weight").value().copy().data();
        Trainer t = new Trainer(net, Losses.byName("mse"), new Sgd(net, 0.1f).momentum(0.5f));
        for (int i = 0; i < 5; i++) t.step(TestData.uniform(1, 1f, 4, 8), TestData.uniform(2, 1f, 4, 3));
        assertArrayEquals(w0, net.parameter("dense0.weight").value().data());
        assertNotEquals(w2[0], net.parameter("dense2.weight").value().data()[0]);
        net.unfreeze("dense0.weight");
        t.step(TestData.uniform(1, 1f, 4, 8), TestData.uniform(2, 1f, 4, 3));
        assertNotEquals(w0[0], net.parameter("dense0.weight").value().data()[0]);
        assertThrows(IllegalArgumentException.class, () -> net.freeze("dense9"));
    }

    @Test
    void learningRateSchedules() {
        LearningRateSchedule step = LearningRateSchedule.step(2, 0.5f);
        assertEquals(1f, step.next(0, 1, 1f));
        assertEquals(0.5f, step.next(1, 1, 1f));
        assertEquals(0.9f, LearningRateSchedule.exponential(0.9f).next(0, 1, 1f), 1e-7);
        // improves, improves, then two epochs without improvement beyond patience 1 → halve once
        ReduceOnPlateau plateau = new ReduceOnPlateau(0.5f, 1, 1e-4f, 0.01f);
        float lr = 1f;
        lr = plateau.next(0, 1.0, lr);
        lr = plateau.next(1, 0.9, lr);
        lr = plateau.next(2, 0.95, lr); // 1 bad epoch: within patience
        assertEquals(1f, lr);
        lr = plateau.next(3, 0.91, lr); // 2 bad epochs > patience: the error is too big, decrease
        assertEquals(0.5f, lr);
        for (int e = 4; e < 40; e++) lr = plateau.next(e, 2.0, lr);
        assertEquals(0.01f, lr, 1e-9); // never below the minimum

        Network net = new Network(4).add(new Dense(4, 2)).initialize(Initializer.XAVIER_UNIFORM, 1);
        Sgd sgd = new Sgd(net, 0.1f);
        Trainer t = new Trainer(net, Losses.byName("mse"), sgd).schedule(LearningRateSchedule.exponential(0.5f));
        t.epoch(TestData.uniform(1, 1f, 8, 4), TestData.uniform(2, 1f, 8, 2), 4, null);
        assertEquals(0.05f, sgd.learningRate(), 1e-9);
        assertEquals(2, t.steps());
        assertEquals(1, t.epochs());
    }

    @Test
    void sameSeedSameInitialWeights() {
        Network a = new Network(10).add(new Dense(10, 5)).add(new Dense(5, 2)).initialize(Initializer.NORMAL_FAN_IN, 9);
        Network b = new Network(10).add(new Dense(10, 5)).add(new Dense(5, 2)).initialize(Initializer.NORMAL_FAN_IN, 9);
        Network c = new Network(10).add(new Dense(10, 5)).add(new Dense(5, 2)).initialize(Initializer.NORMAL_FAN_IN, 10);
        assertArrayEquals(a.parameter("dense1.weight").value().data(), b.parameter("dense1.weight").value().data());
        assertNotEquals(a.parameter("dense1.weight").value().data()[0], c.parameter("dense1.weight").value().data()[0]);
    }

    @Test
    void initializersHaveTheirStatedScale() {
        // 256×1024 = 262144 draws: the sample std is within ~0.3% of σ (1/√(2n) relative), check 2%.
        int in = 1024, out = 256;
        float[] w = new float[in * out];
        double[][] expect = {
                {Initializer.NORMAL_FAN_IN.ordinal(), 1 / Math.sqrt(in)},
                {Initializer.XAVIER_NORMAL.ordinal(), Math.sqrt(2.0 / (in + out))},
                {Initializer.XAVIER_UNIFORM.ordinal(), Math.sqrt(6.0 / (in + out)) / Math.sqrt(3)},
                {Initializer.HE_NORMAL.ordinal(), Math.sqrt(2.0 / in)},
                {Initializer.HE_UNIFORM.ordinal(), Math.sqrt(6.0 / in) / Math.sqrt(3)}};
        for (double[] e : expect) {
            Initializer init = Initializer.values()[(int) e[0]];
            init.fill(w, 0, in, out, new SplittableRandom(1));
            double s2 = 0;
            for (float v : w) s2 += v * v;
            double std = Math.sqrt(s2 / w.length);
            assertEquals(e[1], std, 0.02 * e[1], init.name());
        }
    }

    @Test
    void nanLossIsReportedWithTheStep() {
        Network net = new Network(4).add(new Dense(4, 2)).initialize(Initializer.XAVIER_UNIFORM, 1);
        Trainer t = new Trainer(net, Losses.byName("mse"), new Sgd(net, 0.1f));
        Tensor x = TestData.uniform(1, 1f, 3, 4), y = TestData.uniform(2, 1f, 3, 2);
        t.step(x, y);
        t.step(x, y);
        x.data()[5] = Float.NaN;
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> t.step(x, y));
        assertTrue(e.getMessage().contains("step 3"), e.getMessage());
        assertTrue(e.getMessage().contains("prediction[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
}
