package bench;

import backprop.Network;
import backprop.Trainer;
import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Sgd;
import cuda.CudaKernels;
import cuda.DeviceBuffer;
import cuda.Gpu;
import cuda.GpuMlp;
import cuda.SgemmVersion;
import data.Dataset;
import data.Loader;
import data.Normalization;
import java.util.Collection;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import kernels.ThreadPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import tensor.Tensor;

/**
 * One training epoch of the README's config B (784-256-128-10, ReLU, He init, softmax cross-entropy,
 * SGD lr 0.05 momentum 0.9, batch 128) on each backend: the loop {@code nabla train} times as an epoch's
 * seconds (shuffled batches gathered and normalized on the host, then the steps), without validation.
 * The target: the cuda epoch ≥ 10× faster than the cpu epoch. {@link #main} runs both and prints
 * the ratio.
 *
 * <p>The data are {@code examples} random images of Fashion-MNIST's shape (784 features in [0, 1), 10
 * classes; 60 000 as its training set): an epoch's arithmetic does not depend on the pixel values. Each
 * measured invocation is one epoch (single shot). On the GPU each step uploads the batch and its one-hot
 * targets and downloads the loss of each row, one step behind the host as in {@code nabla train}'s epoch
 * ({@code GpuMlp.submit}, then the previous step's {@code takeLoss}). {@code sgemm} picks the cuda
 * products' SGEMM version (auto: {@link SgemmVersion#forShape}); {@code threads} the CPU's (0: all cores).
 * Without a GPU the cuda benchmark returns at once after printing why: its figure means nothing.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     bench.GpuEpochBench                       # both backends, 60 000 examples, and the speed-up
 * ... bench.GpuEpochBench -p examples=6400 -wi 1 -i 2    # a quick look
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class GpuEpochBench {
    @Param({"cpu", "cuda"})
    public String backend;

    @Param({"60000"})
    public int examples;

    @Param({"auto"})
    public String sgemm;

    @Param({"0"})
    public int threads;

    static final int[] SIZES = {784, 256, 128, 10};
    static final int BATCH = 128;

    private boolean skipped;
    private Loader loader;
    private Tensor labels;
    private Tensor labelsLast;
    private Trainer cpu;
    private GpuMlp<DeviceBuffer> gpu;
    private int epoch;

    @Setup(Level.Trial)
    public void setUp() {
        boolean cuda = backend.equals("cuda");
        if (cuda && !Gpu.available()) {
            System.out.println("GpuEpochBench: cuda skipped, " + Gpu.probe().describe());
            skipped = true;
            return;
        }
        if (threads > 0) ThreadPool.setThreads(threads);
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = Tensor.zeros(examples, SIZES[0]);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) rng.nextDouble();
        int[] y = new int[examples];
        for (int i = 0; i < examples; i++) y[i] = rng.nextInt(SIZES[3]);
        Dataset data = new Dataset("synthetic " + examples + "x784", x, y, SIZES[3], null, null);
        loader = new Loader(data, BATCH, true, 42, Normalization.global(data), null);
        labels = Tensor.zeros(BATCH);
        labelsLast = Tensor.ofSlice(labels.data(), 0, examples % BATCH == 0 ? BATCH : examples % BATCH);

        Network net = new Network(SIZES[0]);
        for (int i = 1; i < SIZES.length; i++) {
            net.add(new Dense(SIZES[i - 1], SIZES[i]));
            if (i + 1 < SIZES.length) net.add(new ReLU());
        }
        net.initialize(Initializer.HE_NORMAL, 42);
        Sgd sgd = new Sgd(net, 0.05f).momentum(0.9f);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        if (cuda) {
            SgemmVersion v = sgemm.equals("auto") ? null : SgemmVersion.parse(sgemm);
            gpu = new GpuMlp<>(net, sgd, loss, BATCH, new CudaKernels(Gpu.context(), v));
            System.out.println("GpuEpochBench: cuda on " + Gpu.probe().device() + ", sgemm " + sgemm);
        } else {
            cpu = new Trainer(net, loss, sgd);
            System.out.println("GpuEpochBench: cpu, " + ThreadPool.get().threads() + " threads, JDK " + Runtime.version());
        }
    }

    /** One epoch; returns the summed loss (so nothing is optimized away). */
    @Benchmark
    public double epoch() {
        if (skipped) return 0;
        loader.startEpoch(epoch++);
        double sum = 0;
        while (loader.next()) {
            int rows = loader.size();
            Tensor target = rows == BATCH ? labels : labelsLast;
            int[] y = loader.y();
            for (int r = 0; r < rows; r++) target.data()[r] = y[r];
            if (gpu == null) {
                sum += cpu.step(loader.x(), target);
            } else {
                // as nabla train's epoch: the GPU runs one step behind the host, which gathers the next batch
                gpu.submit(loader.x(), target);
                if (gpu.inFlight() > 1) sum += gpu.takeLoss();
            }
        }
        while (gpu != null && gpu.inFlight() > 0) sum += gpu.takeLoss();
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (gpu != null) gpu.close();
    }

    /**
     * Runs the benchmark with JMH options from args (e.g. -rf json -rff epoch.json) and prints the seconds
     * an epoch on each backend and their ratio beside the 10× target; says so when there is no GPU.
     */
    public static void main(String[] args) throws Exception {
        String[] jmh = new String[args.length + 1];
        jmh[0] = GpuEpochBench.class.getName();
        System.arraycopy(args, 0, jmh, 1, args.length);
        Collection<RunResult> results = new Runner(new CommandLineOptions(jmh)).run();
        double cpuMs = Double.NaN;
        for (RunResult r : results) {
            if (r.getParams().getParam("backend").equals("cpu")) cpuMs = r.getPrimaryResult().getScore();
        }
        if (!Gpu.available()) {
            System.out.printf(Locale.ROOT, "config-B epoch: cpu %.0f ms; cuda not measured (%s)%n", cpuMs, Gpu.probe().describe());
            return;
        }
        for (RunResult r : results) {
            if (!r.getParams().getParam("backend").equals("cuda")) continue;
            double cudaMs = r.getPrimaryResult().getScore(), ratio = cpuMs / cudaMs;
            System.out.printf(Locale.ROOT, "config-B epoch (%s examples): cpu %.0f ms, cuda (sgemm %s) %.1f ms on %s: cuda %.1fx faster"
                    + " (target >= 10x: %s)%n", r.getParams().getParam("examples"), cpuMs, r.getParams().getParam("sgemm"), cudaMs,
                    Gpu.probe().device(), ratio, ratio >= 10 ? "met" : "NOT met");
        }
    }
}
