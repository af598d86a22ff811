package app.serve;

import app.train.SavedModel;
import java.io.IOException;
import cuda.Backend;
import cuda.CudaKernels;
import cuda.DeviceKernels;
import cuda.Gpu;
import cuda.GpuMlp;
import cuda.GpuStatus;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where {@code nabla serve} runs its models' micro-batches, from {@code --backend auto|cpu|cuda} as {@code nabla
 * train} chooses (cuda.Backend), and the one line that says so:
 * <pre>
 * backend: cpu (requested)                                                          cpu (the GPU is not probed)
 * backend: cpu (cuda unavailable: libcuda.so.1 not found)                           auto, no GPU
 * backend: cuda (NVIDIA H100 80GB HBM3, sm_90, ...)                                 auto or cuda, a GPU
 * backend: cpu (cuda: NVIDIA ..., but model m: layer x has no GPU version)          auto, a model it cannot run
 * backend: cpu (cuda: NVIDIA ..., but building the GPU forward failed: cuMemAlloc(...) failed: CUDA_ERROR_OUT_OF_MEMORY)
 *                                                                                   auto, the GPU failed ({@link #server})
 * </pre>
 * {@code cuda} without a GPU throws {@link cuda.GpuUnavailableException} with the probe's reason, with a model
 * whose network has a layer no kernel mirrors, {@link UnsupportedOperationException}, and when building a model's
 * forward on the device fails, that failure: the CLI exits 1 with its message. On cuda each model's forward is a
 * {@link GpuForward} (every layer {@code nabla train} builds has one), all of them on one device; on cpu a
 * {@link ServingForward}.
 */
public final class ServingBackend {
    private final Backend backend;
    private final String line;
    private final Supplier<? extends DeviceKernels<?>> device;  // a call site of the GPU for each model (cuda only)
    /** auto chose cuda: the GPU as "cuda: NVIDIA ...", for the line of a fall back to the CPU; null where failing is final. */
    private final String fallback;

    private ServingBackend(Backend backend, String line, Supplier<? extends DeviceKernels<?>> device, String fallback) {
        this.backend = backend;
        this.line = line;
        this.device = device;
        this.fallback = fallback;
    }

    private ServingBackend(Backend backend, String line) {
        this(backend, line, null, null);
    }

    /** The CPU, as every server built without a backend runs. */
    public static final ServingBackend CPU = new ServingBackend(Backend.CPU, "backend: cpu (requested)");

    /** Chooses for {@code flag} with this machine's probe (not touched for cpu) and the models to serve, by name. */
    public static ServingBackend choose(String flag, Map<String, SavedModel> models) {
        boolean cpu = flag != null && flag.strip().toLowerCase(Locale.ROOT).equals("cpu");
        return choose(flag, cpu ? null : Gpu.probe(), models, CudaKernels::new);
    }

    /** Chooses for a given probe result, with {@code device} making the GPU's call sites (tests pass the float[] twin's). */
    static ServingBackend choose(String flag, GpuStatus gpu, Map<String, SavedModel> models, Supplier<? extends DeviceKernels<?>> device) {
        Backend.Choice choice = Backend.choose(flag, gpu);
        if (choice.backend() == Backend.CPU) return new ServingBackend(Backend.CPU, choice.line());
        boolean cuda = flag != null && flag.strip().toLowerCase(Locale.ROOT).equals("cuda");
        for (Map.Entry<String, SavedModel> m : models.entrySet()) {
            String why = GpuMlp.unsupportedLayer(m.getValue().network());
            if (why == null) continue;
            if (cuda) throw new UnsupportedOperationException("backend cuda: model " + m.getKey() + ": " + why + "; use --backend cpu");
            return new ServingBackend(Backend.CPU, "backend: cpu (" + gpu.describe() + ", but model " + m.getKey() + ": " + why + ")");
        }
        return new ServingBackend(Backend.CUDA, choice.line(), device, cuda ? null : gpu.describe());
    }

    /**
     * The server of {@code models} on this backend ({@link Server#backend} says where it runs). When auto chose the GPU
     * and building the server fails there (no device memory for a model, a CUDA error while its graph is captured), the
     * server is built again on the CPU, whose line says why; the failed attempt has released what it took. With
     * {@code --backend cuda}, or on the CPU, a failure is thrown.
     */
    public Server server(Server.Config config, Map<String, SavedModel> models, Map<String, String> paths) throws IOException {
        try {
            return new Server(config, models, paths, this);
        } catch (RuntimeException e) {
            if (fallback == null) throw e;
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
            ServingBackend cpu = new ServingBackend(Backend.CPU, "backend: cpu (" + fallback + ", but building the GPU forward failed: " + why + ")");
            try {
                return new Server(config, models, paths, cpu);
            } catch (IOException | RuntimeException again) {
                again.addSuppressed(e);
                throw again;
            }
        }
    }

    public Backend backend() {
        return backend;
    }

    /** "backend: cuda (NVIDIA H100 ...)" or "backend: cpu (why)", for the log. */
    public String line() {
        return line;
    }

    /** The forward pass of {@code model} for micro-batches of up to {@code maxBatch} rows (larger ones run in pieces). */
    ModelForward forward(SavedModel model, int maxBatch) {
        return backend == Backend.CUDA ? new GpuForward<>(model.network(), maxBatch, device.get()) : new ServingForward(model.network());
    }
}
