package kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the engine's kernels run their Vector API loops or their scalar ones.
 *
 * <p>Only C2 turns the Vector API into SIMD instructions. Under C1 alone or the interpreter each
 * vector operation runs as Java code that allocates, 50-1000x slower than a plain scalar loop, so
 * on a JVM without C2 (-Xint, -XX:TieredStopAtLevel=1..3, -XX:CompilationMode=quick-only, a JVMCI
 * compiler such as Graal's) the kernels take their scalar loops, and one line on stderr says so.
 * The scalar loops compute each element with the same operations as a vector lane, so results are
 * bitwise the same except where a vector loop sums across lanes (a dot product of one or two rows).
 * {@code -Dnabla.simd=on|off} overrides the choice (the tests force each path).
 */
public final class Simd {
    /** True when vector loops run. */
    public static final boolean ON = decide(System.getProperty("nabla.simd", "auto"));

    private Simd() {}

    private static boolean decide(String setting) {
        switch (setting) {
            case "on":
                return true;
            case "off":
                return false;
            case "auto":
                String missing = missingC2();
                if (missing == null) return true;
                System.err.println("nabla: " + missing + ", so the Vector API would run unintrinsified (50x slower or worse);"
                        + " the kernels use their scalar loops (-Dnabla.simd=on to force vectors)");
                return false;
            default:
                throw new IllegalArgumentException("nabla.simd must be auto, on or off, got '" + setting + "'");
        }
    }

    /** Why this JVM has no C2 to compile the Vector API, or null when it has. */
    static String missingC2() {
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) return "this JVM runs interpreted only (-Xint)";
        if (info.contains("emulated-client")) return "this JVM compiles with C1 only (" + info + ")";
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null) return null;
            if (Boolean.parseBoolean(option(vm, "UseJVMCICompiler"))) {
                return "this JVM's JIT is a JVMCI compiler (-XX:+UseJVMCICompiler), not C2";
            }
            String tiered = option(vm, "TieredCompilation"), stop = option(vm, "TieredStopAtLevel");
            if ("true".equals(tiered) && stop != null && Integer.parseInt(stop) < 4) {
                return "this JVM compiles with C1 only (-XX:TieredStopAtLevel=" + stop + ")";
            }
            return null;
        } catch (RuntimeException | LinkageError noManagement) {
            return null; // no way to ask (a trimmed runtime without jdk.management): assume the default JVM
        }
    }

    private static String option(HotSpotDiagnosticMXBean vm, String name) {
        try {
            return vm.getVMOption(name).getValue();
        } catch (IllegalArgumentException notThisJvm) {
            return null;
        }
    }
}
