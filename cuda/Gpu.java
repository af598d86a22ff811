package cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The probe: is there a GPU that nabla's kernels can run on? It runs once per JVM and caches the
 * answer. It opens the driver through JCuda, takes device 0's primary context and loads one PTX
 * module (so a driver too old for the PTX counts as unavailable, with the reason).
 *
 * <p>Without a driver, JCuda's first call throws {@link UnsatisfiedLinkError} (libcuda.so.1 cannot
 * be loaded) and every later one {@link NoClassDefFoundError}; without the JCuda jar the first
 * reference is a {@link NoClassDefFoundError}. All are {@link LinkageError}s, caught here and turned
 * into a short reason. This class names no JCuda type, so it loads and answers on any classpath;
 * {@code jcuda.CudaException} is caught inside {@link CudaContext}, which does.
 *
 * <p>{@code -Dnabla.cuda=off} makes the probe answer "unavailable" without touching the driver.
 */
public final class Gpu {
    private static GpuStatus status;
    private static CudaContext context;

    private Gpu() {}

    /** The cached probe result; the first call does the probing. */
    public static synchronized GpuStatus probe() {
        if (status == null) {
            if ("off".equals(System.getProperty("nabla.cuda"))) {
                status = GpuStatus.unavailable("disabled by -Dnabla.cuda=off");
            } else {
                try {
                    context = CudaContext.open();
                    status = GpuStatus.availableOn(context.describe());
                } catch (LinkageError e) {
                    status = GpuStatus.unavailable(reasonFrom(e));
                } catch (GpuUnavailableException e) {
                    status = GpuStatus.unavailable(e.reason());
                }
            }
        }
        return status;
    }

    public static boolean available() {
        return probe().available();
    }

    /** The context of the probed GPU; throws with the probe's reason when there is none. */
    public static CudaContext context() {
        GpuStatus s = probe();
        if (!s.available()) {
            throw new GpuUnavailableException(s.describe(), s.reason());
        }
        return context;
    }

    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("(lib[\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

    /**
     * A few words for why linking JCuda failed, from the error and its causes: "libcuda.so.1 not
     * found" when the driver library is missing (JCuda's message nests the loader's), "JCuda not on
     * the classpath" when its classes are, else the first line of the innermost message.
     */
    static String reasonFrom(Throwable error) {
        String firstLine = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) continue;
            Matcher missing = MISSING_LIBRARY.matcher(message);
            if (missing.find()) return missing.group(1) + " not found";
            if (t instanceof NoClassDefFoundError && message.startsWith("jcuda/")) {
                return "JCuda not on the classpath (" + message + ")";
            }
            firstLine = message.lines().findFirst().orElse(message).strip();
        }
        if (firstLine == null || firstLine.isEmpty()) return error.getClass().getName();
        return firstLine.length() > 200 ? firstLine.substring(0, 200) + "..." : firstLine;
    }
}
