package app.cli;

import java.io.PrintStream;

/** {@code nabla info}: the JVM, thread count and the GEMM kernel this machine runs. */
final class InfoCommand implements Main.Command {
    static Flags flags() {
        return new Flags("./nabla info [--threads N]", "Prints the JVM, the thread count and the GEMM micro-kernel this machine runs.")
                .flag("threads", "N", null, "the thread count to report on, as every command takes it (default: the available "
                        + "processors, or -Dnabla.threads=N)");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        Common.applyThreads(f, err);
        out.println("java: " + System.getProperty("java.vm.name") + " " + Runtime.version());
        int n = kernels.ThreadPool.get().threads();
        out.println("threads: " + n + (f.given("threads") ? " (--threads)" : " (set with --threads N, or -Dnabla.threads=N)"));
        out.println("sgemm: " + kernels.Sgemm.describe());
        out.println("vector loops: " + (kernels.Simd.ON ? "on" : "off: scalar loops (this JVM has no C2, or -Dnabla.simd=off)"));
        return 0;
    }
}
