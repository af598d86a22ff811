package cuda;

import java.util.Locale;

/**
 * Where training runs: the CPU kernels or the GPU. {@link #choose} turns the {@code --backend} flag
 * ({@code auto|cpu|cuda}) and the probe's answer into a {@link Choice} with its one line for the log:
 * <pre>
 * backend: cpu (cuda unavailable: libcuda.so.1 not found)     auto, no GPU
 * backend: cuda (NVIDIA H100 80GB HBM3, sm_90, ...)           auto or cuda, a GPU
 * backend: cpu (requested)                                    cpu
 * </pre>
 * {@code cuda} without a GPU throws {@link GpuUnavailableException} whose message carries the reason.
 */
public enum Backend {
    CPU, CUDA;

    /** The backend chosen and the line that says why. */
    public record Choice(Backend backend, String line) {}

    /** Chooses with the cached probe of this machine. */
    public static Choice choose(String flag) {
        String request = normalize(flag);
        // Only a choice that may use the GPU probes it: --backend cpu never touches the driver.
        return request.equals("cpu") ? choose(request, null) : choose(request, Gpu.probe());
    }

    /** Chooses for a given probe result (tests pass made-up ones). */
    public static Choice choose(String flag, GpuStatus gpu) {
        String request = normalize(flag);
        switch (request) {
            case "cpu":
                return new Choice(CPU, "backend: cpu (requested)");
            case "cuda":
                if (!gpu.available()) {
                    throw new GpuUnavailableException("--backend cuda: " + gpu.describe(), gpu.reason());
                }
                return new Choice(CUDA, "backend: cuda (" + gpu.device() + ")");
            default:  // auto
                return gpu.available()
                        ? new Choice(CUDA, "backend: cuda (" + gpu.device() + ")")
                        : new Choice(CPU, "backend: cpu (" + gpu.describe() + ")");
        }
    }

    private static String normalize(String flag) {
        String request = flag == null ? "auto" : flag.strip().toLowerCase(Locale.ROOT);
        if (!request.equals("auto") && !request.equals("cpu") && !request.equals("cuda")) {
            throw new IllegalArgumentException("unknown backend '" + flag + "'; expected auto, cpu or cuda");
        }
        return request;
    }
}
