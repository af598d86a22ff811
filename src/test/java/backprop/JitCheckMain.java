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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import kernels.Sgemm;
import kernels.Simd;
import tensor.Tensor;

/**
 * The workload of {@link JitCheckTest}, run in a child JVM under -XX:+PrintCompilation: training
 * steps of a small MLP with every activation, batch norm and dropout, then GEMMs in all four
 * transposes, with beta 0 and 1 and two k-blocks. Enough calls for the hot methods to reach C2
 * under -Xbatch; the sizes are small so that the 512-bit tile, emulated on AVX2, still runs in seconds.
 *
 * <p>Arguments: the number of training steps, of GEMM rounds, and the file for the result line.
 */
public final class JitCheckMain {
    private JitCheckMain() {}

    public static void main(String[] args) throws IOException {
        int steps = Integer.parseInt(args[0]), rounds = Integer.parseInt(args[1]);
        int fingerprint = run(5, 1); // before the loops: it must not depend on how far the JIT has got
        run(steps, rounds);
        // a file of its own: PrintCompilation's lines would interleave with stdout
        Files.writeString(Path.of(args[2]), String.format("jit-check done: simd %s, fingerprint %08x%n", Simd.ON ? "on" : "off", fingerprint));
    }

    /**
     * {@code steps} training steps of a fresh network, then {@code rounds} rounds of GEMMs; returns
     * a hash of the final weights and products, which is bitwise the same for both tiles, every JIT
     * tier and the scalar path (no step sums across vector lanes).
     */
    static int run(int steps, int rounds) {
        Network net = new Network(20)
                .add(new Dense(20, 24)).add(new ReLU())
                .add(new Dense(24, 24)).add(new BatchNorm(24)).add(new Tanh())
                .add(new Dense(24, 24)).add(new Sigmoid()).add(new Dropout(0.2f, 3))
                .add(new Dense(24, 16)).add(new LeakyReLU())
                .add(new Dense(16, 10))
                .initialize(Initializer.HE_NORMAL, 1);
        Trainer trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Sgd(net, 0.01f).momentum(0.9f));
        Tensor x = TestData.uniform(1, 1f, 13, 20), y = TestData.labels(2, 13, 10);
        for (int s = 0; s < steps; s++) trainer.step(x, y);
        int hash = 0;
        for (Parameter p : net.parameters()) hash = 31 * hash + Arrays.hashCode(p.value().data());

        int m = 13, n = 70, k = 600; // 600 > KC = 512: two k-blocks
        float[] a = TestData.uniform(3, 1f, m * k).data(), b = TestData.uniform(4, 1f, k * n).data();
        float[] c = new float[m * n];
        for (int r = 0; r < rounds; r++) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                Sgemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, r & 1, c, 0, n);
                hash = 31 * hash + Arrays.hashCode(c);
            }
        }
        return hash;
    }
}
