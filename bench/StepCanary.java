package bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import kernels.Sgemm;

/**
 * Is a slow run nabla or the machine? Config A's five products per step (784-128-10, batch 64, one
 * thread), timed in blocks of 200 steps, each block followed by a canary: 12 independent FMA chains
 * on 8-lane vectors, registers only, which measures nothing but the core's FMA throughput. If a
 * block's step time rises exactly when the canary's GFLOP/s falls, the core was shared (another
 * process, or another tenant of the host on the sibling hyperthread); a slow step beside a full-speed
 * canary points at nabla or the memory system. Run in several fresh JVMs:
 *
 * <pre>java --add-modules jdk.incubator.vector -Dnabla.threads=1 -cp target/classes:target/test-classes bench.StepCanary [blocks]</pre>
 */
public final class StepCanary {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    public static void main(String[] args) {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        Random r = new Random(1);
        float[] x = gaussian(r, 64 * 784), w1 = gaussian(r, 128 * 784), h = new float[64 * 128], w2 = gaussian(r, 10 * 128);
        float[] o = new float[64 * 10], g2 = gaussian(r, 64 * 10), dw2 = new float[10 * 128], dh = new float[64 * 128];
        float[] g1 = gaussian(r, 64 * 128), dw1 = new float[128 * 784];
        for (int i = 0; i < 200; i++) canary(20_000);
        double[] step = new double[blocks], gflops = new double[blocks];
        float sink = 0;
        for (int bl = 0; bl < blocks; bl++) {
            long t0 = System.nanoTime();
            for (int s = 0; s < 200; s++) {
                Sgemm.sgemm(false, true, 64, 128, 784, 1f, x, 0, 784, w1, 0, 784, 1f, h, 0, 128);   // h = x·W1ᵀ
                Sgemm.sgemm(false, true, 64, 10, 128, 1f, h, 0, 128, w2, 0, 128, 1f, o, 0, 10);     // o = h·W2ᵀ
                Sgemm.sgemm(true, false, 10, 128, 64, 1f, g2, 0, 10, h, 0, 128, 0f, dw2, 0, 128);  // ∂W2 = δ2ᵀ·h
                Sgemm.sgemm(false, false, 64, 128, 10, 1f, g2, 0, 10, w2, 0, 128, 0f, dh, 0, 128); // ∂h = δ2·W2
                Sgemm.sgemm(true, false, 128, 784, 64, 1f, g1, 0, 128, x, 0, 784, 0f, dw1, 0, 784); // ∂W1 = δ1ᵀ·x
                Arrays.fill(h, 0.01f);
            }
            long t1 = System.nanoTime();
            sink += canary(1_000_000);
            long t2 = System.nanoTime();
            step[bl] = (t1 - t0) / 200e3;
            gflops[bl] = 2.0 * 12 * S.length() * 1_000_000 / (t2 - t1);
        }
        StringBuilder blocksText = new StringBuilder();
        for (int bl = blocks / 2; bl < blocks; bl++) blocksText.append(String.format(Locale.ROOT, " %.0f/%.0f", step[bl], gflops[bl]));
        double[] s2 = Arrays.copyOfRange(step, blocks / 2, blocks), c2 = Arrays.copyOfRange(gflops, blocks / 2, blocks);
        Arrays.sort(s2);
        Arrays.sort(c2);
        System.out.printf(Locale.ROOT, "median step %.0f us, canary %.1f GFLOP/s | later blocks, us a step / canary GFLOP/s:%s%s%n",
                s2[s2.length / 2], c2[c2.length / 2], blocksText, sink == 42 ? " " : "");
    }

    /** 12 independent FMA chains, registers only: n·12·8 FMAs at the core's throughput. */
    static float canary(int n) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 0.001f);
        FloatVector c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
        for (int i = 0; i < n; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b); c4 = c4.fma(a, b); c5 = c5.fma(a, b);
            c6 = c6.fma(a, b); c7 = c7.fma(a, b); c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(VectorOperators.ADD);
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
