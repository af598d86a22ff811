package backprop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The JIT check (no timing): child JVMs run {@link JitCheckMain} under -XX:+PrintCompilation with
 * both GEMM tiles forced, whatever this machine's vector width, and the test fails when a method
 * of the engine could not be compiled ("COMPILE SKIPPED") or a hot kernel did not reach the tier
 * it needs. C1 does not intrinsify the Vector API: a kernel C1 cannot compile may be left at tier 2
 * for a whole run, 30-60x slower (docs/benchmarks.md, "Every run as fast as the benchmark").
 * <ul>
 * <li>Tiered (the default JVM), -Xbatch so that compiles finish in order: the micro-kernel and the
 * tile fold reach tier 4 (C2).</li>
 * <li>-XX:TieredStopAtLevel=3, the vector path forced: C1 compiles both at tier 3 with full
 * profiling, the state from which tiered compilation moves a method on to C2.</li>
 * <li>C1 only (-XX:TieredStopAtLevel=1 and =3), nothing forced: {@link kernels.Simd} sees that C2 is
 * missing, says so on stderr, and the scalar loops run.</li>
 * </ul>
 * Every run computes the same fingerprint (weights after five training steps, then GEMMs in the
 * four transposes): both tiles, every tier and the scalar path give the same bits.
 * The 6×4v kernel of 783e508 (3178 bytes) fails the first two: "out of virtual registers in LIR generator".
 */
class JitCheckTest {
    private static final Pattern SKIPPED = Pattern.compile("(kernels|backprop|tensor)\\.\\S+ .*COMPILE SKIPPED.*");
    private static final Pattern DONE = Pattern.compile("^jit-check done: simd (on|off), fingerprint (\\p{XDigit}{8})$");

    /** A child run: its tile, the tier its kernels must reach (0: none, the scalar path runs), and its log. */
    private record Run(String tile, int tier, String flags, Process process, Path log, Path err, Path result) {}

    @Test
    void hotKernelsCompileAtEveryTierTheyNeedAndEveryPathGivesTheSameBits() throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> fingerprints = new TreeSet<>();
        // Two children at a time (one per tile). Tier 4: enough steps for C2 (Tier4InvocationThreshold
        // is 5000 calls); tier 3: a few hundred calls suffice, and C1's vector code is slow, so few.
        check(List.of(start("4x2v", 4, "-Xbatch", "1000", "150"), start("6x4v", 4, "-Xbatch", "1000", "150")),
                problems, fingerprints);
        String c1 = "-Xbatch -XX:TieredStopAtLevel=3 -Dnabla.simd=on";
        check(List.of(start("4x2v", 3, c1, "20", "10"), start("6x4v", 3, c1, "20", "10")), problems, fingerprints);
        // No C2: Simd detects it, says so on stderr and runs the scalar loops.
        check(List.of(start("4x2v", 0, "-XX:TieredStopAtLevel=1", "300", "100"),
                start("6x4v", 0, "-XX:TieredStopAtLevel=3", "300", "100")), problems, fingerprints);
        assertEquals(List.of(), problems, "JIT problems");
        assertEquals(1, fingerprints.size(), "every tile, tier and path computes the same bits: " + fingerprints);
    }

    private static void check(List<Run> runs, List<String> problems, Set<String> fingerprints) throws Exception {
        for (Run r : runs) {
            String what = r.tile + " tile, " + r.flags;
            if (!r.process.waitFor(120, TimeUnit.SECONDS)) {
                r.process.destroyForcibly();
                problems.add(what + ": did not finish in 120 s");
                continue;
            }
            List<String> lines = Files.readAllLines(r.log, StandardCharsets.UTF_8);
            Matcher done = Files.readAllLines(r.result, StandardCharsets.UTF_8).stream().map(DONE::matcher).filter(Matcher::matches).findFirst().orElse(null);
            if (r.process.exitValue() != 0 || done == null) {
                problems.add(what + ": the child failed (exit " + r.process.exitValue() + "): " + tail(lines) + " | stderr: "
                        + tail(Files.readAllLines(r.err, StandardCharsets.UTF_8)));
                continue;
            }
            fingerprints.add(done.group(2));
            lines.stream().filter(l -> SKIPPED.matcher(l).find()).forEach(l -> problems.add(what + ": " + l.trim()));
            if (r.tier == 0) {
                if (!done.group(1).equals("off")) problems.add(what + ": the vector loops ran without C2");
                // stderr has a file of its own: the compiler threads' PrintCompilation lines (stdout) would
                // otherwise interleave with it mid-line on a loaded machine
                if (Files.readAllLines(r.err, StandardCharsets.UTF_8).stream().noneMatch(l -> l.startsWith("nabla: this JVM compiles with C1 only"))) {
                    problems.add(what + ": no line on stderr says that the scalar loops run");
                }
                continue;
            }
            String kernel = "kernels.SgemmKernel" + r.tile + "::kernel";
            for (String method : new String[] {kernel, "kernels.SgemmTile::fold"}) {
                Pattern compiled = Pattern.compile("\\s" + r.tier + "\\s+" + Pattern.quote(method) + " \\(");
                if (lines.stream().noneMatch(l -> compiled.matcher(l).find() && !l.contains("made not entrant"))) {
                    problems.add(what + ": " + method + " never compiled at tier " + r.tier);
                }
            }
        }
    }

    private static Run start(String tile, int tier, String flags, String steps, String rounds) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("nabla-jit-" + tile + "-" + tier, ".txt");
        Path err = Files.createTempFile("nabla-jit-" + tile + "-" + tier, ".err");
        Path result = Files.createTempFile("nabla-jit-" + tile + "-" + tier, ".result");
        log.toFile().deleteOnExit();
        err.toFile().deleteOnExit();
        result.toFile().deleteOnExit();
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--add-modules=jdk.incubator.vector",
                "-XX:+PrintCompilation", "-Dnabla.gemm.tile=" + tile, "-Dnabla.threads=1", "-Dnabla.warmup=off"));
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JitCheckMain.class.getName(), steps, rounds,
                result.toString()));
        Process p = new ProcessBuilder(cmd).redirectOutput(log.toFile()).redirectError(err.toFile()).start();
        return new Run(tile, tier, flags, p, log, err, result);
    }

    private static String tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 5), lines.size()).stream().collect(Collectors.joining(" | "));
    }
}
