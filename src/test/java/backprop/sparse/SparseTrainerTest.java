package backprop.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.Network;
import backprop.loss.BinaryCrossEntropyWithLogits;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.Map;
import java.util.SplittableRandom;
import kernels.ThreadPool;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

class SparseTrainerTest {
    private static final int V = 300, H = 12, N = 200;

    @Test
    void weightsDoNotDependOnTheThreadCountAndASeedReproducesThem() {
        int saved = ThreadPool.get().threads();
        try {
            ThreadPool.setThreads(1);
            Map<String, Tensor> one = train();
            ThreadPool.setThreads(2);
            Map<String, Tensor> two = train();
            Map<String, Tensor> again = train();
            for (String name : one.keySet()) {
                assertArrayEquals(one.get(name).data(), two.get(name).data(), 0f, name + ": 1 vs 2 threads");
                assertArrayEquals(two.get(name).data(), again.get(name).data(), 0f, name + ": same seed");
            }
        } finally {
            ThreadPool.setThreads(saved);
        }
    }

    @Test
    void epochArgumentsAreChecked() {
        SparseNetwork net = SparseFixtures.sparseTwin(SparseFixtures.denseNet(V, H, 1));
        SparseTrainer t = new SparseTrainer(net, new BinaryCrossEntropyWithLogits(), new Sgd(net.denseParameters(), 0.1f), true);
        SparseBatch x = SparseFixtures.batch(1, 10, V, V, 20, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.epoch(x, Tensor.zeros(9, 1), 4, null));
        assertTrue(e.getMessage().contains("expected [10] or [10, outputs], got [9, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.epoch(x, Tensor.zeros(10, 1), 0, null));
        assertTrue(e.getMessage().contains("batch size must be >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.epoch(new SparseBatch(V, true), Tensor.zeros(1, 1), 4, null));
        assertTrue(e.getMessage().contains("no rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.epoch(new SparseBatch(V + 1, true).addRow(new int[] {1}, null, 0, 1),
                Tensor.zeros(1, 1), 4, null));
        assertTrue(e.getMessage().contains("301 columns for a network of 300 inputs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparseNetwork(new SparseDense(V, H), new Network(H + 1)));
        assertTrue(e.getMessage().contains("gives 12 features but the network after it takes 13"), e.getMessage());
        assertEquals(0, t.steps());
    }

    /** Three epochs of minibatches with momentum and L2 (so the lazy rows are exercised), shuffled from a fixed seed. */
    private static Map<String, Tensor> train() {
        SparseNetwork net = SparseFixtures.sparseTwin(SparseFixtures.denseNet(V, H, 5));
        Sgd sgd = new Sgd(net.denseParameters(), 0.2f).momentum(0.9f).regularization(Regularization.l2(1e-3f));
        SparseTrainer t = new SparseTrainer(net, new BinaryCrossEntropyWithLogits(), sgd, true);
        SparseBatch x = SparseFixtures.batch(2, N, V, V, 40, true);
        Tensor y = SparseFixtures.targets(3, N);
        SplittableRandom shuffle = new SplittableRandom(4);
        for (int e = 0; e < 3; e++) t.epoch(x, y, 16, shuffle);
        return net.state();
    }

    /** A learning rate that blows the loss up stops the run at the step, naming it (issue 17: sentiment train reached 9e22). */
    @Test
    void anExplodingLossStopsTheRunAtItsStep() {
        SparseNetwork net = SparseFixtures.sparseTwin(SparseFixtures.denseNet(V, H, 5));
        SparseTrainer t = new SparseTrainer(net, new BinaryCrossEntropyWithLogits(), new Sgd(net.denseParameters(), 1e4f).momentum(0.9f), true);
        SparseBatch x = SparseFixtures.batch(2, N, V, V, 40, true);
        Tensor y = SparseFixtures.targets(3, N);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> {
            for (int epoch = 0; epoch < 20; epoch++) t.epoch(x, y, 16, new SplittableRandom(epoch));
        });
        assertTrue(e.getMessage().matches("(?s)step \\d+ \\(epoch \\d+\\): .*"), e.getMessage());
    }
}
