package cuda;

import jcuda.driver.CUgraphExec;
import jcuda.driver.JCudaDriver;

/**
 * A captured sequence of launches ({@link CudaContext#capture}), queued on the context's stream by one
 * {@link #launch}: a training step's 25 kernels cost the host one driver call instead of 25, and the GPU
 * runs them without waiting for the host between them.
 */
final class CudaGraph implements AutoCloseable {
    private final CudaContext context;
    private CUgraphExec exec;

    CudaGraph(CudaContext context, CUgraphExec exec) {
        this.context = context;
        this.exec = exec;
    }

    /** Queues the whole graph on the context's stream; returns at once. */
    void launch() {
        if (exec == null) throw new IllegalStateException("CUDA graph launched after close()");
        context.makeCurrent();
        CudaContext.check(JCudaDriver.cuGraphLaunch(exec, context.stream()), "cuGraphLaunch");
    }

    @Override
    public void close() {
        if (exec != null) {
            context.makeCurrent();
            CUgraphExec e = exec;
            exec = null;
            CudaContext.check(JCudaDriver.cuGraphExecDestroy(e), "cuGraphExecDestroy");
        }
    }
}
