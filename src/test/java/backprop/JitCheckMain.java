package backprop;

import backprop.init.Initializer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Tanh;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Sgd;
import kernels.Sgemm;
import tensor.Tensor;

/**
 * The workload of {@link JitCheckTest}, run in a child JVM under -XX:+PrintCompilation: training
 * steps of a small MLP with every activation, batch norm and dropout, then GEMMs in all four
 * transposes, with beta 0 and 1 and two k-blocks. Enough calls for the hot methods to reach C2
 * under -Xbatch; the sizes are small so that the 512-bit tile, emulated on AVX2, still runs in seconds.
 *
 * <p>Arguments: the number of training steps and of GEMM rounds.
 */
public final class JitCheckMain {
    private JitCheckMain() {}

    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]), rounds = Integer.parseInt(args[1]);
        Network net = new Network(20)
                .add(new Dense(20, 24)).add(new ReLU())
                .add(new Dense(24, 24)).add(new BatchNorm(24)).add(new Tanh())
                .add(new Dense(24, 24)).add(new Sigmoid()).add(new Dropout(0.2f, 3))
                .add(new Dense(24, 16)).add(new LeakyReLU())
                .add(new Dense(16, 10))
                .initialize(Initializer.HE_NORMAL, 1);
        Trainer trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Sgd(net, 0.01f).momentum(0.9f));
        Tensor x = TestData.uniform(1, 1f, 13, 20), y = TestData.labels(2, 13, 10);
        double loss = 0;
        for (int s = 0; s < steps; s++) loss += trainer.step(x, y);

        int m = 13, n = 70, k = 600; // 600 > KC = 512: two k-blocks
        float[] a = TestData.uniform(3, 1f, m * k).data(), b = TestData.uniform(4, 1f, k * n).data();
        float[] c = new float[m * n];
        for (int r = 0; r < rounds; r++) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                Sgemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, r & 1, c, 0, n);
            }
        }
        System.out.println("jit-check done: mean loss " + loss / Math.max(1, steps) + ", c[0] " + c[0]);
    }
}
