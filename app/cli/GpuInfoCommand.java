package app.cli;

import cuda.Backend;
import cuda.Gpu;
import cuda.GpuStatus;
import java.io.PrintStream;

/**
 * {@code nabla gpu-info}: what the CUDA probe found, and which backend {@code --backend auto} would
 * pick. On a GPU it also loads every bundled PTX module, which proves the driver can JIT them.
 */
final class GpuInfoCommand implements Main.Command {
    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("--help")) {
            out.println("usage: ./nabla gpu-info    prints whether a CUDA GPU is usable (and why not), and the backend auto picks");
            return 0;
        }
        if (args.length > 0) throw new Main.UsageException("gpu-info takes no arguments, got '" + args[0] + "'");
        GpuStatus status = Gpu.probe();
        out.println(status.describe());
        if (status.available()) {
            int modules = Gpu.context().loadAllModules();
            out.println("kernels: " + modules + " PTX modules loaded (compute_75 PTX, compute_80 for the cp.async SGEMM on sm_80+; JIT-compiled by the driver)");
        }
        out.println(Backend.choose("auto", status).line() + "   <- --backend auto");
        return 0;
    }
}
