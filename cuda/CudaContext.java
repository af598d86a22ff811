package cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * Device 0 through JCuda's driver API: its primary context, the PTX modules loaded from the jar
 * ({@code /cuda/ptx/<module>.ptx}, with {@code cuModuleLoadData}, JIT-compiled by the driver for
 * this GPU), and checked driver calls. Obtained from {@link Gpu#context()}.
 *
 * <p>Every driver call's CUresult is checked; a failure throws {@link CudaCallException} naming the
 * call and the result. With {@code -Dnabla.cuda.sync=true} (or {@link #setSyncAfterLaunch}) each launch
 * is followed by a synchronize, so an error inside a kernel is reported with that kernel's name
 * instead of at the next copy.
 */
public final class CudaContext {
    private final CUdevice device;
    private final CUcontext context;
    private final String description;
    private final int multiprocessors;
    private final int computeCapability;  // major·10 + minor
    private final Map<String, CUmodule> modules = new HashMap<>();
    /**
     * The stream every launch and asynchronous copy goes to. A blocking stream: it is ordered with the
     * legacy default stream of the synchronous copies ({@link DeviceBuffer}), both ways, so a
     * synchronous copy still sees every kernel queued before it; and unlike the legacy stream it can be
     * captured into a graph ({@link #capture}).
     */
    private final CUstream stream;
    /** Where uploads of the next batch run while {@link #stream} computes (ordered before its use by an event). */
    private final CUstream copyStream;
    private volatile boolean syncAfterLaunch = Boolean.getBoolean("nabla.cuda.sync");

    private CudaContext(CUdevice device, CUcontext context, String description) {
        this.device = device;
        this.context = context;
        this.description = description;
        this.multiprocessors = attribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        this.computeCapability = 10 * attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                + attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        this.stream = new CUstream();
        check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
        this.copyStream = new CUstream();
        check(JCudaDriver.cuStreamCreate(copyStream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    /**
     * Opens device 0 or says why not. Throws {@link GpuUnavailableException} for a driver that
     * answers with an error (no device, PTX too new for the driver, ...); a missing driver or JCuda
     * surfaces as the {@link LinkageError} that {@link Gpu} catches.
     */
    static CudaContext open() {
        try {
            JCudaNatives.load();
            JCudaDriver.setExceptionsEnabled(false);
            probeCheck(JCudaDriver.cuInit(0), "cuInit");
            int[] count = new int[1];
            probeCheck(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
            if (count[0] == 0) throw new GpuUnavailableException("cuda unavailable: no CUDA device", "no CUDA device");
            CUdevice device = new CUdevice();
            probeCheck(JCudaDriver.cuDeviceGet(device, 0), "cuDeviceGet");
            CUcontext context = new CUcontext();
            probeCheck(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
            probeCheck(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            CudaContext opened = new CudaContext(device, context, describe(device));
            // The driver must be able to JIT our PTX (CUDA 13 PTX needs an R580+ driver): try the smallest module.
            try {
                opened.module("scale_matrix");
            } catch (CudaCallException e) {
                throw new GpuUnavailableException("cuda unavailable: " + e.getMessage(),
                        "the driver cannot load nabla's PTX (" + e.result() + "; PTX from CUDA 13 needs an R580+ driver)");
            }
            return opened;
        } catch (CudaException e) {
            throw new GpuUnavailableException("cuda unavailable: " + e.getMessage(), e.getMessage());
        }
    }

    private static void probeCheck(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            String name = CUresult.stringFor(result);
            throw new GpuUnavailableException("cuda unavailable: " + call + " failed: " + name, name);
        }
    }

    private static String describe(CUdevice device) {
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        int end = 0;
        while (end < name.length && name[end] != 0) end++;
        int major = attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        int sms = attribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] bytes = new long[1];
        JCudaDriver.cuDeviceTotalMem(bytes, device);
        int[] driver = new int[1];
        JCudaDriver.cuDriverGetVersion(driver);
        return String.format("%s, sm_%d%d, %d SMs, %.1f GiB, driver API %d.%d",
                new String(name, 0, end, StandardCharsets.US_ASCII), major, minor, sms, bytes[0] / (double) (1L << 30),
                driver[0] / 1000, driver[0] % 1000 / 10);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        JCudaDriver.cuDeviceGetAttribute(value, attribute, device);
        return value[0];
    }

    /** e.g. "NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 79.2 GiB, driver API 13.0". */
    public String describe() {
        return description;
    }

    /** The GPU's streaming multiprocessors (132 on an H100 SXM). */
    public int multiprocessors() {
        return multiprocessors;
    }

    /** The GPU's compute capability as major·10 + minor (90 for an H100's sm_90). */
    public int computeCapability() {
        return computeCapability;
    }

    /** Makes this context current on the calling thread (CUDA contexts are per thread). */
    void makeCurrent() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    /** The stream of every launch and asynchronous copy (see the field). */
    CUstream stream() {
        return stream;
    }

    /** The stream of asynchronous uploads (see the field). */
    CUstream copyStream() {
        return copyStream;
    }

    /**
     * Records what {@code operations} queues on {@link #stream} (launches, asynchronous copies) into a CUDA
     * graph instead of running it; {@link CudaGraph#launch} then queues all of it with one call. Kernel
     * arguments are recorded by value: a graph replays the sizes, pointers and scalars of its capture.
     * Not with {@code -Dnabla.cuda.sync=true}, whose synchronize after each launch a capture forbids. Relaxed
     * mode: a first product may load its module or allocate its workspace while it is being captured.
     */
    CudaGraph capture(Runnable operations) {
        if (syncAfterLaunch) throw new IllegalStateException("no graph capture with nabla.cuda.sync (a capture cannot synchronize)");
        makeCurrent();
        check(JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED), "cuStreamBeginCapture");
        CUgraph graph = new CUgraph();
        try {
            operations.run();
        } catch (RuntimeException | Error e) {
            JCudaDriver.cuStreamEndCapture(stream, graph);  // leaves the stream usable; the partial graph is dropped
            JCudaDriver.cuGraphDestroy(graph);
            throw e;
        }
        check(JCudaDriver.cuStreamEndCapture(stream, graph), "cuStreamEndCapture");
        CUgraphExec exec = new CUgraphExec();
        int result = JCudaDriver.cuGraphInstantiate(exec, graph, 0);
        JCudaDriver.cuGraphDestroy(graph);
        check(result, "cuGraphInstantiate");
        return new CudaGraph(this, exec);
    }

    /** Waits for all work queued on the GPU; a kernel's failure surfaces here. */
    public void synchronize() {
        makeCurrent();
        check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    public void setSyncAfterLaunch(boolean sync) {
        syncAfterLaunch = sync;
    }

    boolean syncAfterLaunch() {
        return syncAfterLaunch;
    }

    /** A function of a bundled PTX module, loading the module on first use. */
    CUfunction function(String module, String entry) {
        CUfunction function = new CUfunction();
        check(JCudaDriver.cuModuleGetFunction(function, module(module), entry), "cuModuleGetFunction(" + module + "." + entry + ")");
        return function;
    }

    /**
     * Loads every bundled PTX module this GPU can run (a check that the driver JIT-compiles all of them: a module
     * for a newer GPU, {@link PtxModules#minComputeCapability}, is left out); returns how many.
     */
    public int loadAllModules() {
        int loaded = 0;
        for (String module : PtxModules.MODULES.keySet()) {
            if (PtxModules.minComputeCapability(module) > computeCapability) continue;
            module(module);
            loaded++;
        }
        return loaded;
    }

    synchronized CUmodule module(String name) {
        CUmodule module = modules.get(name);
        if (module == null) {
            makeCurrent();
            module = new CUmodule();
            check(JCudaDriver.cuModuleLoadData(module, ptx(name)), "cuModuleLoadData(" + name + ".ptx)");
            modules.put(name, module);
        }
        return module;
    }

    /** The PTX text of a bundled module, NUL-terminated as cuModuleLoadData requires of a byte image. */
    static byte[] ptx(String module) {
        String resource = "/cuda/ptx/" + module + ".ptx";
        try (InputStream in = CudaContext.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("PTX resource " + resource + " is missing from the jar");
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    /** Throws {@link CudaCallException} unless result is CUDA_SUCCESS. */
    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) throw failure(result, what);
    }

    /** The exception for a failed call: what was being done, and the CUresult's name. */
    static CudaCallException failure(int result, String what) {
        return new CudaCallException(what, CUresult.stringFor(result));
    }

    CUdevice device() {
        return device;
    }
}
