package backprop;

import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Sgd;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * Run by {@link TrainingListenerTest} in a JVM of its own (no test agents, no other tests' classes):
 * trains with a listener until the steady state, at most 20 s, and prints the bytes one step allocates
 * and the rows the listener was told of, "bytesPerStep rowsTold epochs".
 */
public final class StepAllocationMain {
    public static void main(String[] args) {
        int rows = 100, features = 8;
        Network net = new Network(features).add(new Dense(features, 12)).add(new ReLU()).add(new Dense(12, 3))
                .initialize(Initializer.HE_NORMAL, 3);
        Trainer t = new Trainer(net, new SoftmaxCrossEntropy(), new Sgd(net, 0.1f));
        long[] told = new long[1];
        t.addListener(new TrainingListener() {
            @Override public void onTrainingBatch(int epoch, long step, int batch, int n, double loss, double epochLoss, long examples) {
                told[0] += n;
            }
        });
        SplittableRandom r = new SplittableRandom(1);
        float[] xd = new float[rows * features], yd = new float[rows];
        for (int i = 0; i < xd.length; i++) xd[i] = (float) r.nextGaussian();
        for (int i = 0; i < rows; i++) yd[i] = i % 3;
        Tensor x = Tensor.of(xd, rows, features), y = Tensor.of(yd, rows);
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        SplittableRandom shuffle = new SplittableRandom(5);
        long perStep = Long.MAX_VALUE, epochs = 0, deadline = System.nanoTime() + 20_000_000_000L;
        // the steady state: measured until C2 has compiled the loop (on a busy machine that takes a while)
        while (perStep >= 8 && System.nanoTime() < deadline) {
            long before = bean.getThreadAllocatedBytes(id);
            for (int e = 0; e < 20; e++) t.epoch(x, y, 1, shuffle);  // batch 1: 100 steps an epoch
            epochs += 20;
            perStep = (bean.getThreadAllocatedBytes(id) - before) / (20 * rows);
        }
        System.out.println(perStep + " " + told[0] + " " + epochs);
    }
}
