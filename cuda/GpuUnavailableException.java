package cuda;

/**
 * The CUDA backend cannot run here; {@link #reason()} says why in a few words
 * (e.g. "libcuda.so.1 not found", "CUDA_ERROR_NO_DEVICE"). The CLI maps it to exit code 1.
 */
public final class GpuUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public GpuUnavailableException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** Why CUDA is unavailable, without the surrounding sentence. */
    public String reason() {
        return reason;
    }
}
