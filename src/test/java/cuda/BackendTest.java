package cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

/** --backend auto|cpu|cuda against made-up probe results, and against this machine's. */
class BackendTest {
    static final GpuStatus NO_GPU = GpuStatus.unavailable("libcuda.so.1 not found");
    static final GpuStatus H100 = GpuStatus.availableOn("NVIDIA H100 80GB HBM3, sm_90");

    @Test
    void autoPicksCpuWithTheReason() {
        Backend.Choice choice = Backend.choose("auto", NO_GPU);
        assertEquals(Backend.CPU, choice.backend());
        assertEquals("backend: cpu (cuda unavailable: libcuda.so.1 not found)", choice.line());
    }

    @Test
    void autoPicksTheGpuWhenThereIsOne() {
        Backend.Choice choice = Backend.choose("auto", H100);
        assertEquals(Backend.CUDA, choice.backend());
        assertEquals("backend: cuda (NVIDIA H100 80GB HBM3, sm_90)", choice.line());
        assertEquals(Backend.CUDA, Backend.choose(null, H100).backend(), "no flag means auto");
    }

    @Test
    void cudaWithoutGpuFailsWithTheReason() {
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> Backend.choose("cuda", NO_GPU));
        assertEquals("--backend cuda: cuda unavailable: libcuda.so.1 not found", e.getMessage());
        assertEquals("libcuda.so.1 not found", e.reason());
        assertEquals(Backend.CUDA, Backend.choose("CUDA", H100).backend());
    }

    @Test
    void cpuIsAlwaysCpu() {
        assertEquals("backend: cpu (requested)", Backend.choose("cpu", H100).line());
        assertEquals(Backend.CPU, Backend.choose("cpu", NO_GPU).backend());
        assertEquals(Backend.CPU, Backend.choose(" cpu ").backend());
    }

    @Test
    void unknownBackendIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.choose("opencl", H100));
        assertEquals("unknown backend 'opencl'; expected auto, cpu or cuda", e.getMessage());
    }

    @Test
    void thisMachineWithoutGpu() {
        assumeFalse(Gpu.available(), "this machine has a GPU");
        Backend.Choice auto = Backend.choose("auto");
        assertEquals(Backend.CPU, auto.backend());
        assertTrue(auto.line().startsWith("backend: cpu (cuda unavailable: "), auto.line());
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> Backend.choose("cuda"));
        assertEquals(Gpu.probe().reason(), e.reason());
    }
}
