package bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import kernels.Sgemm;
import kernels.ThreadPool;

/**
 * nabla against OpenBLAS (numpy) in alternating rounds, for a ratio that this shared machine's
 * slow drift cannot bias. On this VM one configuration measured 51–83 GFLOP/s within minutes, so
 * two JMH runs taken ten minutes apart can put either side ahead. Here a warm JVM and a warm numpy
 * process take turns: a round of nabla (about {@code --round} seconds of back-to-back calls) and
 * a round of OpenBLAS on the same shape, {@code --pairs} times, in ABBA order (nabla first in even
 * pairs, OpenBLAS first in odd ones) so that neither side always follows the other; the one not
 * measuring waits blocked on a pipe, and each round starts after a 0.2 s pause in which the other
 * side's spinning threads go idle. Each pair gives a ratio nabla/OpenBLAS taken seconds apart;
 * the table reports the median of the ratios, their range (fast noise remains: ±20–30% per pair
 * here), and the median GFLOP/s of each side.
 *
 * <pre>
 * bench/sgemm_paired.sh                 # both thread counts, the SGEMM shapes, ~8 minutes
 * </pre>
 * Not JMH: JMH cannot interleave with another process. The nabla round is timed as JMH's
 * throughput mode would (calls in a fixed time, after warm-up rounds that are discarded).
 */
public final class SgemmPaired {
    /** Quiet time before each timed round: the other side's idle threads stop spinning. */
    private static final long PAUSE_MS = 200;

    private SgemmPaired() {}

    public static void main(String[] args) throws Exception {
        int threads = 1, pairs = 10;
        double round = 1.0;
        List<String> shapes = List.of("sq128", "sq256", "sq512", "sq1024", "sq2048", "fwd1", "fwd2", "wgradAtB", "dxABt");
        String python = "python3", out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--round" -> round = Double.parseDouble(args[++i]);
                case "--shapes" -> shapes = List.of(args[++i].split(","));
                case "--python" -> python = args[++i];
                case "--out" -> out = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--threads N --pairs N --round SECONDS --shapes a,b --python EXE --out FILE)");
            }
        }
        ThreadPool.setThreads(threads);
        ProcessBuilder pb = new ProcessBuilder(python, "bench/sgemm_numpy.py", "--serve");
        pb.environment().remove("OPENBLAS_CORETYPE"); // OpenBLAS's own AVX kernel needs these unset
        pb.environment().remove("OPENBLAS_L2_SIZE");
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process numpy = pb.start();
        PrintWriter toNumpy = new PrintWriter(numpy.getOutputStream(), true, StandardCharsets.US_ASCII);
        BufferedReader fromNumpy = new BufferedReader(new InputStreamReader(numpy.getInputStream(), StandardCharsets.US_ASCII));
        List<String> json = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-9s %3s %9s %9s %9s %13s%n", "shape", "T", "nabla", "OpenBLAS", "ratio", "ratio range");
        try {
            for (String name : shapes) {
                SgemmBench bench = new SgemmBench();
                bench.shape = name;
                bench.impl = "nabla";
                bench.threads = threads;
                bench.setUp();
                double flops = 2.0 * bench.m * bench.n * bench.k;
                for (int w = 0; w < 3; w++) nablaRound(bench, round); // JIT and caches
                numpyRound(toNumpy, fromNumpy, name, round);
                double[] nabla = new double[pairs], blas = new double[pairs], ratio = new double[pairs];
                for (int p = 0; p < pairs; p++) {
                    if (p % 2 == 0) {
                        nabla[p] = flops / nablaRound(bench, round) / 1e3;
                        blas[p] = flops / numpyRound(toNumpy, fromNumpy, name, round) / 1e3;
                    } else {
                        blas[p] = flops / numpyRound(toNumpy, fromNumpy, name, round) / 1e3;
                        nabla[p] = flops / nablaRound(bench, round) / 1e3;
                    }
                    ratio[p] = nabla[p] / blas[p];
                }
                double[] r = ratio.clone();
                Arrays.sort(r);
                System.out.printf(Locale.ROOT, "%-9s %3d %9.1f %9.1f %9.2f %6.2f–%.2f%n", name, threads, median(nabla), median(blas), median(ratio), r[0], r[pairs - 1]);
                json.add(String.format(Locale.ROOT, "{\"shape\":\"%s\",\"threads\":%d,\"nabla_gflops\":%.2f,\"openblas_gflops\":%.2f,"
                        + "\"ratio\":%.3f,\"ratio_min\":%.3f,\"ratio_max\":%.3f,\"pairs\":%d}", name, threads, median(nabla), median(blas),
                        median(ratio), r[0], r[pairs - 1], pairs));
            }
        } finally {
            toNumpy.close();
            numpy.waitFor();
        }
        if (out != null) Files.write(Path.of(out), json, StandardCharsets.UTF_8);
    }

    /** Microseconds per call over one round of back-to-back calls. */
    static double nablaRound(SgemmBench bench, double seconds) throws InterruptedException {
        Thread.sleep(PAUSE_MS);
        long budget = (long) (seconds * 1e9), t0 = System.nanoTime(), t;
        int calls = 0;
        do {
            bench.sgemm();
            calls++;
        } while ((t = System.nanoTime() - t0) < budget);
        return t / 1e3 / calls;
    }

    private static double numpyRound(PrintWriter to, BufferedReader from, String shape, double seconds) throws Exception {
        Thread.sleep(PAUSE_MS);
        to.println(shape + " " + seconds);
        String line = from.readLine();
        if (line == null) throw new IllegalStateException("numpy process ended (is numpy installed for this python?)");
        return Double.parseDouble(line.trim());
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
