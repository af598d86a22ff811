package cuda;

/**
 * A CUDA driver call failed. The message names what was being done (the kernel and its launch shape
 * for a launch) and the CUresult by name, e.g.
 * {@code launch of sgemm_v4_vectorized (grid 8x8x1, block 256x1x1) failed: CUDA_ERROR_INVALID_VALUE}.
 */
public final class CudaCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String result;

    CudaCallException(String what, String result) {
        super(what + " failed: " + result);
        this.result = result;
    }

    /** The CUresult's name, e.g. {@code CUDA_ERROR_ILLEGAL_ADDRESS}. */
    public String result() {
        return result;
    }
}
