package cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

/** The probe and its reasons, on a machine with or without a GPU. */
class GpuProbeTest {
    /** JCuda 12.6's message when libcuda.so.1 is missing (abridged from a real run without a driver). */
    static final String JCUDA_NO_DRIVER = "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
            + "Operating system name: Linux\n---(start of nested stack traces)---\n"
            + "Stack trace from the attempt to load the library as a file:\n"
            + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
            + "Stack trace from the attempt to load the library as a resource:\n"
            + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open"
            + " shared object file: No such file or directory\n---(end of nested stack traces)---\n";

    @Test
    void missingDriverLibraryIsNamed() {
        assertEquals("libcuda.so.1 not found", Gpu.reasonFrom(new UnsatisfiedLinkError(JCUDA_NO_DRIVER)));
    }

    @Test
    void laterCallsNoClassDefFoundErrorStillNamesTheLibrary() {
        // The second touch of JCudaDriver: "Could not initialize class", the first failure as the cause.
        NoClassDefFoundError later = new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
        later.initCause(new ExceptionInInitializerError("Exception java.lang.UnsatisfiedLinkError: " + JCUDA_NO_DRIVER));
        assertEquals("libcuda.so.1 not found", Gpu.reasonFrom(later));
    }

    @Test
    void missingJCudaJarIsNamed() {
        assertEquals("JCuda not on the classpath (jcuda/driver/JCudaDriver)",
                Gpu.reasonFrom(new NoClassDefFoundError("jcuda/driver/JCudaDriver")));
    }

    @Test
    void otherErrorsGiveTheirFirstLine() {
        assertEquals("something odd", Gpu.reasonFrom(new UnsatisfiedLinkError("something odd\nsecond line")));
        assertEquals("java.lang.UnsatisfiedLinkError", Gpu.reasonFrom(new UnsatisfiedLinkError()));
    }

    @Test
    void probeIsCachedAndConsistent() {
        GpuStatus first = Gpu.probe();
        assertSame(first, Gpu.probe());
        assertEquals(first.available(), Gpu.available());
    }

    @Test
    void withoutGpuTheProbeSaysWhyInOneShortLine() {
        GpuStatus status = Gpu.probe();
        assumeFalse(status.available(), "this machine has a GPU");
        String reason = status.reason();
        assertFalse(reason.isBlank());
        assertFalse(reason.contains("\n"), reason);
        assertTrue(reason.length() <= 203, reason);
        assertEquals("cuda unavailable: " + reason, status.describe());
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, Gpu::context);
        assertEquals(reason, e.reason());
        assertEquals(status.describe(), e.getMessage());
        // Everything that needs the GPU refuses the same way.
        assertThrows(GpuUnavailableException.class, () -> new CudaSgemm(SgemmVersion.V4_VECTORIZED));
        assertThrows(GpuUnavailableException.class, CudaOps::new);
    }

    @Test
    void statusRejectsContradictions() {
        assertThrows(IllegalArgumentException.class, () -> new GpuStatus(true, null, null));
        assertThrows(IllegalArgumentException.class, () -> new GpuStatus(false, "H100", "why"));
        assertThrows(IllegalArgumentException.class, () -> new GpuStatus(false, null, null));
    }
}
