package bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import kernels.RowSoftmax;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The row softmax under Softmax, LogSoftmax and softmax cross-entropy, a batch of rows at a time,
 * beside its Ref twin (double, Math.exp): the shapes of a classifier head (128 rows of 10 classes)
 * and of a wide one (64 rows of 1000).
 *
 * <pre>bench/jmh.sh RowSoftmaxBench -f 1 -wi 3 -w 1s -i 5 -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RowSoftmaxBench {
    @Param({"128x10", "64x1000"})
    public String shape;

    private int rows, k;
    private float[] z, y;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        rows = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        z = new float[rows * k];
        y = new float[rows * k];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < z.length; i++) z[i] = (float) (r.nextGaussian() * 5);
    }

    @Benchmark
    public float[] kernel() {
        for (int r = 0; r < rows; r++) RowSoftmax.softmax(z, r * k, RowSoftmax.max(z, r * k, k), y, r * k, k);
        return y;
    }

    @Benchmark
    public float[] ref() {
        for (int r = 0; r < rows; r++) RowSoftmax.softmaxRef(z, r * k, y, r * k, k);
        return y;
    }
}
