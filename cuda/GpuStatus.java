package cuda;

/**
 * What the probe found: a usable GPU ({@code device} describes it, {@code reason} is null) or none
 * ({@code reason} says why in a few words, {@code device} is null).
 */
public record GpuStatus(boolean available, String device, String reason) {
    public GpuStatus {
        if (available == (device == null) || available == (reason != null)) {
            throw new IllegalArgumentException("GpuStatus: an available GPU needs a device and no reason, an"
                    + " unavailable one a reason and no device; got available=" + available + " device=" + device
                    + " reason=" + reason);
        }
    }

    public static GpuStatus availableOn(String device) {
        return new GpuStatus(true, device, null);
    }

    public static GpuStatus unavailable(String reason) {
        return new GpuStatus(false, null, reason);
    }

    /** One line: {@code cuda: NVIDIA H100 ...} or {@code cuda unavailable: libcuda.so.1 not found}. */
    public String describe() {
        return available ? "cuda: " + device : "cuda unavailable: " + reason;
    }
}
