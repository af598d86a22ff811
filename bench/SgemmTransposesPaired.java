package bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import kernels.ThreadPool;

/**
 * Aᵀ·B and A·Bᵀ against A·B on the same square size, in rotating rounds in one JVM (issue 2: "within
 * 5% of A·B"). One JMH run of each, minutes apart, cannot show 5% on this VM (the same
 * configuration moved 51–83 GFLOP/s within minutes). Here each pair is three rounds of about
 * {@code --round} seconds, one per layout, in an order that rotates from pair to pair (nn tn nt,
 * tn nt nn, nt nn tn), and gives the ratios tn/nn and nt/nn of rounds taken seconds apart; the
 * output is their median and range over {@code --pairs} pairs, and each layout's median GFLOP/s.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     bench.SgemmTransposesPaired [--threads 1] [--pairs 9] [--round 1.0] [--sizes 1024,2048]
 * </pre>
 */
public final class SgemmTransposesPaired {
    private static final String[] LAYOUTS = {"nn", "tn", "nt"};

    private SgemmTransposesPaired() {}

    public static void main(String[] args) throws Exception {
        int threads = 1, pairs = 9;
        double round = 1.0;
        List<String> sizes = List.of("1024", "2048");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--round" -> round = Double.parseDouble(args[++i]);
                case "--sizes" -> sizes = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--threads N --pairs N --round SECONDS --sizes 1024,2048)");
            }
        }
        ThreadPool.setThreads(threads);
        System.out.printf(Locale.ROOT, "%-7s %3s %8s %8s %8s %16s %16s%n", "size", "T", "nn", "tn", "nt", "tn/nn (range)", "nt/nn (range)");
        for (String size : sizes) {
            SgemmBench[] bench = new SgemmBench[3];
            for (int l = 0; l < 3; l++) {
                bench[l] = new SgemmBench();
                bench[l].shape = "sq" + size + "_" + LAYOUTS[l];
                bench[l].impl = "nabla";
                bench[l].threads = threads;
                bench[l].setUp();
            }
            double flops = 2.0 * bench[0].m * bench[0].n * bench[0].k;
            for (int w = 0; w < 2; w++) for (SgemmBench b : bench) SgemmPaired.nablaRound(b, round); // JIT and caches
            double[][] gflops = new double[3][pairs];
            double[] tn = new double[pairs], nt = new double[pairs];
            for (int p = 0; p < pairs; p++) {
                for (int j = 0; j < 3; j++) {
                    int l = (p + j) % 3;
                    gflops[l][p] = flops / SgemmPaired.nablaRound(bench[l], round) / 1e3;
                }
                tn[p] = gflops[1][p] / gflops[0][p];
                nt[p] = gflops[2][p] / gflops[0][p];
            }
            System.out.printf(Locale.ROOT, "%-7s %3d %8.1f %8.1f %8.1f %16s %16s%n", size, threads,
                    SgemmPaired.median(gflops[0]), SgemmPaired.median(gflops[1]), SgemmPaired.median(gflops[2]), range(tn), range(nt));
        }
    }

    private static String range(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "%.3f (%.2f–%.2f)", SgemmPaired.median(x), s[0], s[s.length - 1]);
    }
}
