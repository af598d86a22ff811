package cuda;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

/**
 * Page-locked host floats for asynchronous copies on the context's stream, with an event marking the
 * end of the last copy that used them: a copy from pageable memory (a Java array) makes the host wait
 * for the GPU; one from here does not. Filling or reading waits for that last copy first, so a buffer
 * is never overwritten while the GPU still reads it. Not thread-safe.
 */
final class PinnedFloats implements AutoCloseable {
    private final CudaContext context;
    private final int capacity;
    private Pointer host = new Pointer();
    private final FloatBuffer view;
    private final CUevent lastCopy = new CUevent();
    private boolean copyQueued;

    PinnedFloats(CudaContext context, int capacity) {
        this.context = context;
        this.capacity = capacity;
        context.makeCurrent();
        CudaContext.check(JCudaDriver.cuMemAllocHost(host, (long) capacity * Sizeof.FLOAT), "cuMemAllocHost(" + capacity + " floats)");
        view = host.getByteBuffer(0, (long) capacity * Sizeof.FLOAT).order(ByteOrder.nativeOrder()).asFloatBuffer();
        int created = JCudaDriver.cuEventCreate(lastCopy, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        if (created != jcuda.driver.CUresult.CUDA_SUCCESS) {
            JCudaDriver.cuMemFreeHost(host);
            host = null;
            throw CudaContext.failure(created, "cuEventCreate");
        }
    }

    int capacity() {
        return capacity;
    }

    /**
     * Copies src[off, off + count) here (after the last copy from here is done), then queues dst[0, count) =
     * it on the copy stream, which may run beside the kernels queued before: the compute stream waits for
     * the copy before its next operation. dst must not be in use by kernels still running.
     */
    void upload(float[] src, int off, int count, DeviceBuffer dst) {
        context.makeCurrent();
        awaitLastCopy();
        view.put(0, src, off, count);
        CudaContext.check(JCudaDriver.cuMemcpyHtoDAsync(dst.devicePointer(), host, (long) count * Sizeof.FLOAT, context.copyStream()),
                "cuMemcpyHtoDAsync(" + count + " floats)");
        CudaContext.check(JCudaDriver.cuEventRecord(lastCopy, context.copyStream()), "cuEventRecord");
        copyQueued = true;
        CudaContext.check(JCudaDriver.cuStreamWaitEvent(context.stream(), lastCopy, 0), "cuStreamWaitEvent");
    }

    /** Queues here[0, count) = src[0, count) behind everything queued on the stream. */
    void downloadLater(DeviceBuffer src, int count) {
        context.makeCurrent();
        awaitLastCopy();
        CudaContext.check(JCudaDriver.cuMemcpyDtoHAsync(host, src.devicePointer(), (long) count * Sizeof.FLOAT, context.stream()),
                "cuMemcpyDtoHAsync(" + count + " floats)");
        CudaContext.check(JCudaDriver.cuEventRecord(lastCopy, context.stream()), "cuEventRecord");
        copyQueued = true;
    }

    /** Waits for the last queued copy; dst[0, count) = here[0, count). */
    void read(float[] dst, int count) {
        context.makeCurrent();
        awaitLastCopy();
        view.get(0, dst, 0, count);
    }

    private void awaitLastCopy() {
        if (copyQueued) {
            // a kernel that failed since surfaces here
            CudaContext.check(JCudaDriver.cuEventSynchronize(lastCopy), "cuEventSynchronize (a copy, or a kernel queued before it)");
            copyQueued = false;
        }
    }

    @Override
    public void close() {
        if (host != null) {
            context.makeCurrent();
            try {
                awaitLastCopy();  // the GPU may still be copying from or into it
            } finally {
                Pointer h = host;
                host = null;
                JCudaDriver.cuEventDestroy(lastCopy);
                CudaContext.check(JCudaDriver.cuMemFreeHost(h), "cuMemFreeHost");
            }
        }
    }
}
