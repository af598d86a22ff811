package cuda;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * One kernel of a bundled PTX module with reusable argument slots: set each slot ({@link #set}), then
 * {@link #launch}. Scalars live in one-element arrays that JCuda reads at launch time, and the
 * parameter array is rebuilt only when a buffer slot points at a different buffer, and the launch shape
 * only when the sizes change, so launching with the same buffers and sizes step after step allocates
 * nothing. Not thread-safe: one Kernel per caller.
 */
final class Kernel {
    private final CudaContext context;
    private final String name;
    private final CUfunction function;
    private final Pointer[] slots;
    private final Object[] values;  // int[1], long[1], float[1] or the DeviceBuffer in each slot
    private Pointer parameters;
    /** The last launch shape and the sizes it was made for: repeated sizes reuse it. */
    private long geometryKey = Long.MIN_VALUE;
    private LaunchGeometry geometry;

    Kernel(CudaContext context, String module, String entry, int parameterCount) {
        if (!PtxModules.declares(module, entry)) {
            throw new IllegalStateException("kernel " + module + "." + entry + " is not listed in PtxModules");
        }
        this.context = context;
        this.name = entry;
        this.function = context.function(module, entry);
        this.slots = new Pointer[parameterCount];
        this.values = new Object[parameterCount];
    }

    String name() {
        return name;
    }

    Kernel set(int slot, int value) {
        if (!(values[slot] instanceof int[])) {
            values[slot] = new int[1];
            slots[slot] = Pointer.to((int[]) values[slot]);
            parameters = null;
        }
        ((int[]) values[slot])[0] = value;
        return this;
    }

    Kernel set(int slot, float value) {
        if (!(values[slot] instanceof float[])) {
            values[slot] = new float[1];
            slots[slot] = Pointer.to((float[]) values[slot]);
            parameters = null;
        }
        ((float[]) values[slot])[0] = value;
        return this;
    }

    /** A 64-bit scalar (an {@code unsigned long long} parameter: the bits are passed as they are). */
    Kernel set(int slot, long value) {
        if (!(values[slot] instanceof long[])) {
            values[slot] = new long[1];
            slots[slot] = Pointer.to((long[]) values[slot]);
            parameters = null;
        }
        ((long[]) values[slot])[0] = value;
        return this;
    }

    Kernel set(int slot, DeviceBuffer buffer) {
        if (values[slot] != buffer) {
            values[slot] = buffer;
            slots[slot] = buffer.argument();
            parameters = null;
        } else {
            buffer.argument();  // throws if the buffer was closed since
        }
        return this;
    }

    /** {@link LaunchGeometry#elementwise}, made once for repeated counts. */
    LaunchGeometry elementwise(long count) {
        if (geometry == null || geometryKey != count) {
            geometry = LaunchGeometry.elementwise(count);
            geometryKey = count;
        }
        return geometry;
    }

    /** {@link LaunchGeometry#sgemm}, made once for repeated m, n, slices. */
    LaunchGeometry sgemm(SgemmVersion v, int m, int n, int slices) {
        long key = ((long) m << 32) | (n & 0xffffffffL);
        if (geometry == null || geometryKey != key || geometry.gridZ() != slices) {
            geometry = LaunchGeometry.sgemm(v, m, n, slices);
            geometryKey = key;
        }
        return geometry;
    }

    /** {@link LaunchGeometry#softmaxRows}, made once for repeated rows, cols. */
    LaunchGeometry softmaxRows(int rows, int cols) {
        long key = ((long) rows << 32) | (cols & 0xffffffffL);
        if (geometry == null || geometryKey != key) {
            geometry = LaunchGeometry.softmaxRows(rows, cols);
            geometryKey = key;
        }
        return geometry;
    }

    /** Launches with the slots as they are; a failed launch names this kernel, its shape and the CUresult. */
    void launch(LaunchGeometry g) {
        if (parameters == null) {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] == null) throw new IllegalStateException(name + ": argument " + i + " was never set");
            }
            parameters = Pointer.to(slots);
        }
        context.makeCurrent();
        int result = JCudaDriver.cuLaunchKernel(function, g.gridX(), g.gridY(), g.gridZ(), g.blockX(), g.blockY(),
                g.blockZ(), g.dynamicSharedBytes(), context.stream(), parameters, null);
        // Messages are built only on failure: a launch allocates nothing.
        if (result != CUresult.CUDA_SUCCESS) throw CudaContext.failure(result, "launch of " + name + " (" + g + ")");
        if (context.syncAfterLaunch()) {
            result = JCudaDriver.cuCtxSynchronize();
            if (result != CUresult.CUDA_SUCCESS) throw CudaContext.failure(result, name + " (" + g + ") while running");
        }
    }
}
