package bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import kernels.Sgemm;
import kernels.ThreadPool;
import org.apache.commons.math3.linear.BlockRealMatrix;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM C = A·B (op per shape) for nabla's fast kernel beside its ref twin, EJML
 * ({@code CommonOps_FDRM.mult}, float) and Commons Math ({@code BlockRealMatrix}, double).
 * GFLOP/s = 2·m·n·k / time; bench/sgemm.sh runs it and prints the table with ratios.
 *
 * <p>Shapes: {@code sqN} is N×N·N×N; the MLP shapes are those of a 784-256-128-10 network at
 * batch 128: {@code fwd1} 128×784·784×256, {@code fwd2} 128×256·256×128, {@code wgradAtB}
 * 784×128·128×256 as Aᵀ·B, {@code dxABt} 128×256·256×784 as A·Bᵀ. A {@code sqN_tn} / {@code
 * sqN_nt} suffix takes Aᵀ·B or A·Bᵀ on the square shape.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SgemmBench {
    @Param({"sq128", "sq256", "sq512", "sq1024", "sq2048", "fwd1", "fwd2", "wgradAtB", "dxABt"})
    public String shape;

    @Param({"nabla"})
    public String impl;

    @Param({"1"})
    public int threads;

    int m, n, k;
    boolean transA, transB;
    float[] a, b, c;
    FMatrixRMaj ea, eb, ec;
    BlockRealMatrix ca, cb;

    @Setup(Level.Trial)
    public void setUp() {
        String base = shape.replaceAll("_(nn|tn|nt)$", "");
        switch (base) {
            case "fwd1" -> set(128, 256, 784, false, false);
            case "fwd2" -> set(128, 128, 256, false, false);
            case "wgradAtB" -> set(784, 256, 128, true, false);
            case "dxABt" -> set(128, 784, 256, false, true);
            default -> {
                if (!base.startsWith("sq")) throw new IllegalArgumentException("unknown shape " + shape);
                int s = Integer.parseInt(base.substring(2));
                set(s, s, s, shape.endsWith("_tn"), shape.endsWith("_nt"));
            }
        }
        SplittableRandom rnd = new SplittableRandom(42);
        a = random(rnd, m * k);
        b = random(rnd, k * n);
        c = new float[m * n];
        ThreadPool.setThreads(threads);
        if (impl.equals("ejml")) {
            if (transA || transB) throw new IllegalArgumentException("ejml baseline runs A·B shapes only");
            ea = new FMatrixRMaj(m, k, true, a);
            eb = new FMatrixRMaj(k, n, true, b);
            ec = new FMatrixRMaj(m, n);
        } else if (impl.equals("commons")) {
            if (transA || transB) throw new IllegalArgumentException("commons baseline runs A·B shapes only");
            ca = new BlockRealMatrix(toDouble(a, m, k));
            cb = new BlockRealMatrix(toDouble(b, k, n));
        }
    }

    private void set(int m, int n, int k, boolean transA, boolean transB) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.transA = transA;
        this.transB = transB;
    }

    @Benchmark
    public Object sgemm() {
        switch (impl) {
            case "nabla" -> Sgemm.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
            case "ref" -> Sgemm.ref(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
            case "ejml" -> CommonOps_FDRM.mult(ea, eb, ec);
            case "commons" -> {
                return ca.multiply(cb);
            }
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        }
        return c;
    }

    static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    static double[][] toDouble(float[] x, int rows, int cols) {
        double[][] d = new double[rows][cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) d[i][j] = x[i * cols + j];
        return d;
    }
}
