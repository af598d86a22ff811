package cuda;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * A float array in GPU memory, with explicit, bounds-checked copies to and from host arrays. Allocated
 * with {@link #allocate}, freed with {@link #close} (using it afterwards throws). Not thread-safe.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CudaContext context;
    private final long length;
    private CUdeviceptr pointer;
    /** Pointer.to(pointer), made once: what a kernel argument slot holds for this buffer. */
    private final Pointer argument;
    /** The host array of the last copy and Pointer.to(it): copying the same arrays each step allocates nothing. */
    private float[] lastHost;
    private Pointer lastHostPointer;

    private DeviceBuffer(CudaContext context, long length, CUdeviceptr pointer) {
        this.context = context;
        this.length = length;
        this.pointer = pointer;
        this.argument = Pointer.to(pointer);
    }

    /** length floats of device memory (contents undefined), length ≥ 1. */
    public static DeviceBuffer allocate(CudaContext context, long length) {
        if (length < 1 || length > Long.MAX_VALUE / Sizeof.FLOAT) {
            throw new IllegalArgumentException("device buffer length must be >= 1 float, got " + length);
        }
        context.makeCurrent();
        CUdeviceptr pointer = new CUdeviceptr();
        CudaContext.check(JCudaDriver.cuMemAlloc(pointer, length * Sizeof.FLOAT),
                "cuMemAlloc(" + length + " floats = " + length * Sizeof.FLOAT + " bytes)");
        return new DeviceBuffer(context, length, pointer);
    }

    /** Length in floats. */
    public long length() {
        return length;
    }

    /** Copies src[srcOff, srcOff + count) to this[dstOff, dstOff + count); returns when the copy is done. */
    public void copyFromHost(float[] src, int srcOff, long dstOff, int count) {
        checkRange("copyFromHost", src, srcOff, dstOff, count);
        if (count == 0) return;
        context.makeCurrent();
        int result = JCudaDriver.cuMemcpyHtoD(device(dstOff), host(src, srcOff), (long) count * Sizeof.FLOAT);
        if (result != CUresult.CUDA_SUCCESS) throw CudaContext.failure(result, "cuMemcpyHtoD(" + count + " floats)");
    }

    /** Copies this[srcOff, srcOff + count) to dst[dstOff, dstOff + count), after all queued kernels finish. */
    public void copyToHost(long srcOff, float[] dst, int dstOff, int count) {
        checkRange("copyToHost", dst, dstOff, srcOff, count);
        if (count == 0) return;
        context.makeCurrent();
        int result = JCudaDriver.cuMemcpyDtoH(host(dst, dstOff), device(srcOff), (long) count * Sizeof.FLOAT);
        if (result != CUresult.CUDA_SUCCESS) throw CudaContext.failure(result, "cuMemcpyDtoH(" + count + " floats)");
    }

    /** The device address offset floats in (no new object for offset 0). */
    private CUdeviceptr device(long offset) {
        return offset == 0 ? pointer : pointer.withByteOffset(offset * Sizeof.FLOAT);
    }

    /** The host address offset floats into array (no new object for the last array at offset 0). */
    private Pointer host(float[] array, int offset) {
        if (array != lastHost) {
            lastHost = array;
            lastHostPointer = Pointer.to(array);
        }
        return offset == 0 ? lastHostPointer : lastHostPointer.withByteOffset((long) offset * Sizeof.FLOAT);
    }

    /** Writes count zeros from offset. */
    public void zero(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > length) {
            throw new IllegalArgumentException("zero: range [" + offset + ", " + (offset + count) + ") outside buffer of "
                    + length + " floats");
        }
        if (count == 0) return;
        context.makeCurrent();
        CudaContext.check(JCudaDriver.cuMemsetD32(live().withByteOffset(offset * Sizeof.FLOAT), 0, count), "cuMemsetD32");
    }

    /** The device address, for asynchronous copies. */
    CUdeviceptr devicePointer() {
        return live();
    }

    /** The argument-slot pointer for a kernel launch. */
    Pointer argument() {
        live();
        return argument;
    }

    private CUdeviceptr live() {
        if (pointer == null) throw new IllegalStateException("device buffer of " + length + " floats used after close()");
        return pointer;
    }

    private void checkRange(String what, float[] host, int hostOff, long deviceOff, int count) {
        live();
        if (host == null) throw new IllegalArgumentException(what + ": host array is null");
        if (count < 0 || hostOff < 0 || deviceOff < 0 || (long) hostOff + count > host.length || deviceOff + count > length) {
            throw new IllegalArgumentException(what + ": " + count + " floats at host offset " + hostOff + " (array of "
                    + host.length + ") and device offset " + deviceOff + " (buffer of " + length + ") is out of range");
        }
    }

    @Override
    public void close() {
        if (pointer != null) {
            context.makeCurrent();
            CUdeviceptr p = pointer;
            pointer = null;
            lastHost = null;
            lastHostPointer = null;
            CudaContext.check(JCudaDriver.cuMemFree(p), "cuMemFree");
        }
    }
}
