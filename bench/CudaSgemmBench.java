package bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
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

import cuda.CudaContext;
import cuda.CudaSgemm;
import cuda.DeviceBuffer;
import cuda.Gpu;
import cuda.SgemmVersion;

/**
 * Each SGEMM version on the GPU, C = A·B for n×n matrices resident on the device (no copies timed),
 * in GFLOP/s: the secondary metric {@code gflop} counts 2n³/10⁹ a product, so its rate is GFLOP/s.
 * Each timed call queues the kernel and waits for it (cuCtxSynchronize), so a score is kernel time
 * plus one launch and one synchronize (~10 µs, under 1% even for 1024³ on an H100).
 *
 * <p>Without a GPU every benchmark returns at once after printing why (its numbers mean nothing);
 * {@link #main} skips the whole run instead. cuBLAS for comparison: cuda/compare_cublas.py (run by
 * cuda/verify-gpu.sh in the same session).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CudaSgemmBench {
    @Param({"V1_NAIVE", "V2_SMEM_TILED", "V3_BLOCKTILE_2D", "V4_VECTORIZED", "V5_WARPTILED", "V6_DOUBLE_BUFFERED", "V7_SPLIT_K", "V8_CP_ASYNC"})
    public String version;

    @Param({"1024", "2048", "4096", "8192"})
    public int n;

    private boolean gpu;
    private CudaContext context;
    private CudaSgemm sgemm;
    private DeviceBuffer a, b, c;

    /** Per-thread counter JMH reports as a rate: gflop per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        gpu = Gpu.available();
        if (!gpu) {
            System.out.println("CudaSgemmBench: skipped, " + Gpu.probe().describe());
            return;
        }
        context = Gpu.context();
        sgemm = new CudaSgemm(context, SgemmVersion.valueOf(version));
        int size = n * n;
        a = DeviceBuffer.allocate(context, size);
        b = DeviceBuffer.allocate(context, size);
        c = DeviceBuffer.allocate(context, size);
        float[] host = new float[size];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < size; i++) host[i] = (float) random.nextDouble(-1, 1);
        a.copyFromHost(host, 0, 0, size);
        for (int i = 0; i < size; i++) host[i] = (float) random.nextDouble(-1, 1);
        b.copyFromHost(host, 0, 0, size);
        c.zero(0, size);
    }

    @Benchmark
    public void sgemm(Flops flops) {
        if (!gpu) return;
        sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        context.synchronize();
        flops.gflop += 2.0 * n * n * n / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (!gpu) return;
        a.close();
        b.close();
        c.close();
        sgemm.close();
    }

    /** Runs this benchmark with JMH options from args (e.g. -rf json -rff out.json), or says why not. */
    public static void main(String[] args) throws Exception {
        if (!Gpu.available()) {
            System.out.println("CudaSgemmBench: skipped, " + Gpu.probe().describe());
            return;
        }
        System.out.println("CudaSgemmBench on " + Gpu.probe().device());
        String[] jmh = new String[args.length + 1];
        jmh[0] = CudaSgemmBench.class.getName();
        System.arraycopy(args, 0, jmh, 1, args.length);
        org.openjdk.jmh.Main.main(jmh);
    }
}
