package app.cli;

import java.io.PrintStream;

/** {@code nabla info}: the JVM, thread count and the GEMM kernel this machine runs. */
final class InfoCommand implements Main.Command {
    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("--help")) {
            out.println("usage: ./nabla info    prints the JVM, the thread count and the GEMM micro-kernel");
            return 0;
        }
        if (args.length > 0) throw new Main.UsageException("info takes no arguments, got '" + args[0] + "'");
        out.println("java: " + System.getProperty("java.vm.name") + " " + Runtime.version());
        out.println("threads: " + kernels.ThreadPool.get().threads() + " (set with -Dnabla.threads=N)");
        out.println("sgemm: " + kernels.Sgemm.describe());
        out.println("vector loops: " + (kernels.Simd.ON ? "on" : "off: scalar loops (this JVM has no C2, or -Dnabla.simd=off)"));
        return 0;
    }
}
