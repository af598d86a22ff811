package bench;

import app.train.ModelSpec;
import backprop.Layer;
import backprop.Network;
import backprop.Trainer;
import backprop.init.Initializer;
import backprop.layers.Dropout;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 * ... bench.GpuEpochBench -p batchnorm=true -p dropout=0.2      # train --batchnorm --dropout 0.2
 * ... bench.GpuEpochBench -p backend=cpu -p threads=1,2,4,8,16  # the CPU's thread scaling
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

    /** {@code train --batchnorm}: a batch norm after each hidden Dense layer. */
    @Param({"false"})
    public boolean batchnorm;

    /** {@code train --dropout P}: a dropout of rate P after each hidden activation (0: none). */
    @Param({"0"})
    public float dropout;

    static final int[] SIZES = {784, 256, 128, 10};
    static final int BATCH = 128;

    private boolean skipped;
    private Loader loader;
    private Tensor labels;
    private Tensor labelsLast;
    private Trainer cpu;
    private GpuMlp<DeviceBuffer> gpu;
    private final List<Dropout> dropouts = new ArrayList<>();
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

        // as train builds it: Dense → [BatchNorm] → ReLU → [Dropout] for each hidden layer, then the output Dense
        Network net = new ModelSpec(SIZES, "relu", "ce", dropout, batchnorm).build();
        net.initialize(Initializer.HE_NORMAL, 42);
        for (Layer l : net.layers()) if (l instanceof Dropout d) dropouts.add(d);
        Sgd sgd = new Sgd(net, 0.05f).momentum(0.9f);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        if (cuda) {
            SgemmVersion v = sgemm.equals("auto") ? null : SgemmVersion.parse(sgemm);
            gpu = new GpuMlp<>(net, sgd, loss, BATCH, new CudaKernels(Gpu.context(), v));
            System.out.println("GpuEpochBench: cuda on " + Gpu.probe().device() + ", sgemm " + sgemm + ", " + layers());
        } else {
            cpu = new Trainer(net, loss, sgd);
            System.out.println("GpuEpochBench: cpu, " + ThreadPool.get().threads() + " threads, JDK " + Runtime.version() + ", " + layers());
        }
    }

    private String layers() {
        return (batchnorm ? "batch norm" : "no batch norm") + ", dropout " + dropout;
    }

    /** One epoch; returns the summed loss (so nothing is optimized away). */
    @Benchmark
    public double epoch() {
        if (skipped) return 0;
        // each epoch its own masks, as Training reseeds every dropout layer at the start of an epoch (the mirror draws
        // the CPU layer's stream from the seed it is given)
        for (int i = 0; i < dropouts.size(); i++) {
            long seed = 42L * 1_000_003L + ((long) epoch << 16) + i;
            if (gpu != null) gpu.reseedDropout(dropouts.get(i), seed); else dropouts.get(i).reseed(seed);
        }
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
        for (RunResult r : results) {
            if (!r.getParams().getParam("backend").equals("cpu")) continue;
            System.out.printf(Locale.ROOT, "config-B epoch (%s examples, %s): cpu %.0f ms with %s threads%n", r.getParams().getParam("examples"),
                    model(r), r.getPrimaryResult().getScore(), r.getParams().getParam("threads").equals("0") ? "all" : r.getParams().getParam("threads"));
        }
        if (!Gpu.available()) {
            System.out.printf(Locale.ROOT, "config-B epoch: cuda not measured (%s)%n", Gpu.probe().describe());
            return;
        }
        for (RunResult r : results) {
            if (!r.getParams().getParam("backend").equals("cuda")) continue;
            double cpuMs = Double.NaN;  // the cpu run of the same model, examples and all threads, if this run has one
            for (RunResult c : results) {
                if (c.getParams().getParam("backend").equals("cpu") && model(c).equals(model(r)) && c.getParams().getParam("threads").equals("0")
                        && c.getParams().getParam("examples").equals(r.getParams().getParam("examples"))) cpuMs = c.getPrimaryResult().getScore();
            }
            double cudaMs = r.getPrimaryResult().getScore(), ratio = cpuMs / cudaMs;
            System.out.printf(Locale.ROOT, "config-B epoch (%s examples, %s): cpu %.0f ms, cuda (sgemm %s) %.1f ms on %s: cuda %.1fx faster"
                    + " (target >= 10x: %s)%n", r.getParams().getParam("examples"), model(r), cpuMs, r.getParams().getParam("sgemm"), cudaMs,
                    Gpu.probe().device(), ratio, Double.isNaN(ratio) ? "no cpu run to compare" : ratio >= 10 ? "met" : "NOT met");
        }
    }

    /** "batchnorm false, dropout 0" from a result's parameters. */
    private static String model(RunResult r) {
        return "batchnorm " + r.getParams().getParam("batchnorm") + ", dropout " + r.getParams().getParam("dropout");
    }
}
