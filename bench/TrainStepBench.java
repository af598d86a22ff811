package bench;

import backprop.Network;
import backprop.Trainer;
import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.loss.Losses;
import backprop.optim.Sgd;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import kernels.Sgemm;
import kernels.ThreadPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tensor.Tensor;

/**
 * One training step (forward, softmax cross-entropy, backward, SGD-momentum update) of an MLP,
 * beside the GEMMs alone that such a step runs (same shapes, same kernel) and the update alone, so
 * that {@code step − gemms − update} is the time spent in everything else (bias, activations, loss).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     org.openjdk.jmh.Main TrainStepBench -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 * A step of 784-256-128-10 at batch 128 is 2·128·(784·256 + 256·128 + 128·10)·2 + 2·128·(256·128 + 128·10)
 * ≈ 129 MFLOP (forward, weight gradients, input gradients of all but the first layer).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class TrainStepBench {
    /** sizes / hidden activation / batch. */
    @Param({"784-256-128-10/relu/128", "784-128-10/sigmoid/64"})
    public String config;

    @Param({"1", "2"})
    public int threads;

    private Trainer trainer;
    private Tensor x;
    private Tensor y;
    private int[] sizes;
    private int batch;
    private float[][] weights;
    private float[][] activations;
    private float[][] gradients;
    private float[][] weightGradients;

    @Setup
    public void setup() {
        ThreadPool.setThreads(threads);
        String[] parts = config.split("/");
        String[] s = parts[0].split("-");
        sizes = new int[s.length];
        for (int i = 0; i < s.length; i++) sizes[i] = Integer.parseInt(s[i]);
        batch = Integer.parseInt(parts[2]);
        Network net = new Network(sizes[0]);
        for (int i = 1; i < sizes.length; i++) {
            net.add(new Dense(sizes[i - 1], sizes[i]));
            if (i < sizes.length - 1) net.add(parts[1].equals("relu") ? new ReLU() : new Sigmoid());
        }
        net.initialize(parts[1].equals("relu") ? Initializer.HE_NORMAL : Initializer.NORMAL_FAN_IN, 1);
        trainer = new Trainer(net, Losses.byName("softmax_ce"), new Sgd(net, 0.01f).momentum(0.9f));
        SplittableRandom rng = new SplittableRandom(2);
        x = Tensor.zeros(batch, sizes[0]);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) rng.nextDouble();
        y = Tensor.zeros(batch);
        for (int i = 0; i < batch; i++) y.data()[i] = rng.nextInt(sizes[sizes.length - 1]);

        int layers = sizes.length - 1;
        weights = new float[layers][];
        weightGradients = new float[layers][];
        activations = new float[layers + 1][];
        gradients = new float[layers + 1][];
        for (int l = 0; l <= layers; l++) {
            activations[l] = new float[batch * sizes[l]];
            gradients[l] = new float[batch * sizes[l]];
            if (l < layers) {
                weights[l] = new float[sizes[l + 1] * sizes[l]];
                weightGradients[l] = new float[sizes[l + 1] * sizes[l]];
            }
        }
        for (float[] a : activations) for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble();
        for (float[] g : gradients) for (int i = 0; i < g.length; i++) g[i] = (float) rng.nextDouble();
        for (float[] w : weights) for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextDouble();
    }

    /** Forward, loss, backward, SGD-momentum update. */
    @Benchmark
    public double step() {
        return trainer.step(x, y);
    }

    /** The SGD-momentum update alone (one vectorized pass over w, ∂E/∂w and v of every parameter). */
    @Benchmark
    public void update() {
        trainer.optimizer().step();
    }

    /** The GEMMs of one step alone: h = x·Wᵀ, ∂E/∂W = gᵀ·x, and ∂E/∂x = g·W except for the first layer. */
    @Benchmark
    public float gemms() {
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l], out = sizes[l + 1];
            Sgemm.sgemm(false, true, batch, out, in, 1f, activations[l], 0, in, weights[l], 0, in, 1f, activations[l + 1], 0, out);
        }
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l], out = sizes[l + 1];
            Sgemm.sgemm(true, false, out, in, batch, 1f, gradients[l + 1], 0, out, activations[l], 0, in, 0f, weightGradients[l], 0, in);
            if (l > 0) Sgemm.sgemm(false, false, batch, in, out, 1f, gradients[l + 1], 0, out, weights[l], 0, in, 0f, gradients[l], 0, in);
        }
        return activations[layers][0];
    }
}
