package cuda;

/**
 * The kernels of cuda/*.cu on float[], statement for statement (the formulas of each .cu, in float, one
 * thread's loop after another's): a device for {@link GpuMlp} on the CPU, so the tests hold the mirror's
 * bookkeeping to the CPU training step on a machine without a GPU. Where the GPU's order of operations is
 * not one thread's (the SGEMM tiles, softmax's tree reductions), the order here is the simplest one; the
 * float rounding then differs from the GPU's by the amounts the GPU test's tolerance allows for.
 */
public final class HostKernels implements DeviceKernels<float[]> {
    /** Buffers allocated and not freed: a test checks that close() frees everything. */
    int liveBuffers;
    /** Graphs captured and launched so far. */
    public int captures, launches;
    /**
     * Staging buffers made or grown so far, as CudaKernels makes them: an upload's (two, used in turn) or a download
     * slot's, when a copy does not fit the one it has. On the GPU each is a wait for the GPU, a cuMemFreeHost and a
     * cuMemAllocHost; a serving request must not pay one. (Here every call site is this one object, so the uploads of
     * all sites share the turn; an inference mirror uploads through one site only.)
     */
    public int stagingGrowths;
    private final int[] uploadStaging = new int[2];
    private int nextUpload;
    /** Allocations so far; the one with this number (0 = the first) throws as cuMemAlloc out of memory does. */
    public long allocations, failAllocation = Long.MAX_VALUE;
    /** When set, the next capture throws as a failed cuStreamEndCapture does (after running the operations). */
    public boolean failCapture;
    /** While a capture runs: the operations it records (each with its arguments, by value), else null. */
    private java.util.List<Runnable> recording;
    private final float[][] downloadSlots = new float[2][];

    /** Buffers allocated and not freed. */
    public int liveBuffers() {
        return liveBuffers;
    }

    /** Runs a kernel now, or records it while a capture runs. */
    private void queue(Runnable kernel) {
        if (recording != null) {
            recording.add(kernel);
        } else {
            kernel.run();
        }
    }

    @Override
    public Graph capture(Runnable operations) {
        if (recording != null) throw new IllegalStateException("capture inside a capture");
        java.util.List<Runnable> ops = new java.util.ArrayList<>();
        recording = ops;
        try {
            operations.run();
        } finally {
            recording = null;
        }
        if (failCapture) {
            failCapture = false;
            throw new CudaCallException("cuStreamEndCapture", "CUDA_ERROR_OUT_OF_MEMORY (injected)");
        }
        captures++;
        return new Graph() {
            private boolean closed;

            @Override
            public void launch() {
                if (closed) throw new IllegalStateException("graph launched after close()");
                launches++;
                for (int i = 0; i < ops.size(); i++) ops.get(i).run();
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }

    @Override
    public void uploadAsync(float[] src, int srcOff, float[] dst, int count) {
        if (recording != null) throw new IllegalStateException("a copy inside a capture");
        if (count == 0) return;
        int slot = nextUpload;
        nextUpload ^= 1;
        if (uploadStaging[slot] < count) {
            uploadStaging[slot] = count;
            stagingGrowths++;
        }
        System.arraycopy(src, srcOff, dst, 0, count);
    }

    @Override
    public void downloadLater(float[] src, int count, int slot) {
        if (recording != null) throw new IllegalStateException("a copy inside a capture");
        if (downloadSlots[slot] == null || downloadSlots[slot].length < count) {
            downloadSlots[slot] = new float[count];
            stagingGrowths++;
        }
        System.arraycopy(src, 0, downloadSlots[slot], 0, count);
    }

    @Override
    public void awaitDownload(int slot, float[] dst, int count) {
        System.arraycopy(downloadSlots[slot], 0, dst, 0, count);
    }

    @Override
    public DeviceKernels<float[]> newCallSite() {
        return this;
    }

    @Override
    public float[] allocate(int floats) {
        if (floats < 1) throw new IllegalArgumentException("device buffer length must be >= 1 float, got " + floats);
        if (allocations++ == failAllocation) {
            throw new CudaCallException("cuMemAlloc(" + floats + " floats)", "CUDA_ERROR_OUT_OF_MEMORY (injected)");
        }
        liveBuffers++;
        float[] b = new float[floats];
        java.util.Arrays.fill(b, Float.NaN);  // contents undefined, as cuMemAlloc's: a read before a write shows
        return b;
    }

    @Override
    public void free(float[] buffer) {
        liveBuffers--;
    }

    @Override
    public void upload(float[] src, int srcOff, float[] dst, int count) {
        System.arraycopy(src, srcOff, dst, 0, count);
    }

    @Override
    public void download(float[] src, float[] dst, int count) {
        System.arraycopy(src, 0, dst, 0, count);
    }

    @Override
    public void zero(float[] buffer, int count) {
        java.util.Arrays.fill(buffer, 0, count, 0f);
    }

    /** One output element a "thread", k in order, multiply-adds fused as nvcc fuses them. */
    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
                      float beta, float[] c, int ldc) {
        queue(() -> {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int p = 0; p < k; p++) {
                        float aip = transA ? a[p * lda + i] : a[i * lda + p];
                        float bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
                        acc = Math.fma(aip, bpj, acc);
                    }
                    c[i * ldc + j] = beta == 0f ? alpha * acc : Math.fma(beta, c[i * ldc + j], alpha * acc);
                }
            }
        });
    }

    @Override
    public void biasAdd(int rows, int cols, float[] x, float[] bias) {
        queue(() -> {
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) x[r * cols + c] += bias[c];
        });
    }

    @Override
    public void activationForward(Activation f, int n, float[] z, float[] y) {
        queue(() -> {
            for (int i = 0; i < n; i++) {
                y[i] = switch (f) {
                    case SIGMOID -> 1f / (1f + (float) Math.exp(-z[i]));
                    case TANH -> (float) Math.tanh(z[i]);
                    case RELU -> z[i] > 0f ? z[i] : 0f;
                };
            }
        });
    }

    @Override
    public void activationBackward(Activation f, int n, float[] y, float[] dy, float[] dz) {
        queue(() -> {
            for (int i = 0; i < n; i++) {
                dz[i] = switch (f) {
                    case SIGMOID -> dy[i] * y[i] * (1f - y[i]);
                    case TANH -> dy[i] * (1f - y[i] * y[i]);
                    case RELU -> y[i] > 0f ? dy[i] : 0f;
                };
            }
        });
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, float[] logits, float[] targets, float[] probs, float[] rowLoss,
                                    float[] dlogits, float gradScale) {
        queue(() -> {
            for (int r = 0; r < rows; r++) {
                int row = r * cols;
                float zMax = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) zMax = Math.max(zMax, logits[row + c]);
                float sumExp = 0f;
                for (int c = 0; c < cols; c++) sumExp += (float) Math.exp(logits[row + c] - zMax);
                float logSumExp = (float) Math.log(sumExp);
                float loss = 0f;
                for (int c = 0; c < cols; c++) {
                    float logP = logits[row + c] - zMax - logSumExp;
                    float p = (float) Math.exp(logP);
                    probs[row + c] = p;
                    dlogits[row + c] = (p - targets[row + c]) * gradScale;
                    if (targets[row + c] != 0f) loss -= targets[row + c] * logP;
                }
                rowLoss[r] = loss;
            }
        });
    }

    @Override
    public void columnSums(int rows, int cols, float[] x, float[] out) {
        queue(() -> {
            for (int c = 0; c < cols; c++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) sum += x[r * cols + c];
                out[c] = sum;
            }
        });
    }

    /** sgd_momentum.cu: the fused multiply-adds of backprop.optim.Sgd, the rest unfused. */
    @Override
    public void sgdMomentum(int n, float learningRate, float momentum, float l1, float l2, float[] w, float[] g, float[] v) {
        queue(() -> {
            boolean decay = l1 != 0f || l2 != 0f;
            for (int i = 0; i < n; i++) {
                float weight = w[i], grad = g[i];
                if (decay) {
                    float sign = weight > 0f ? 1f : (weight < 0f ? -1f : 0f);
                    // g ← g + λ₂·w + λ₁·sign(w)
                    grad = Math.fma(weight, l2, grad) + sign * l1;
                }
                // v ← μ·v + g
                float velocity = Math.fma(v[i], momentum, grad);
                v[i] = velocity;
                // w ← w − lr·v
                w[i] = Math.fma(velocity, -learningRate, weight);
            }
        });
    }

    @Override
    public void leakyReluForward(int n, float slope, float[] z, float[] y) {
        queue(() -> HostLayerKernels.leakyReluForward(n, slope, z, y));
    }

    @Override
    public void leakyReluBackward(int n, float slope, float[] z, float[] dy, float[] dz) {
        queue(() -> HostLayerKernels.leakyReluBackward(n, slope, z, dy, dz));
    }

    @Override
    public void dropoutForward(int n, float p, float[] stream, int streamIndex, float[] x, float[] mask, float[] y) {
        // the position is read when the kernel runs (a graph replays with the stream's contents of that moment)
        queue(() -> HostLayerKernels.dropoutForward(n, p, DropoutStream.seed(stream, streamIndex),
                DropoutStream.offset(stream, streamIndex), x, mask, y));
    }

    @Override
    public void dropoutBackward(int n, float[] mask, float[] dy, float[] dx) {
        queue(() -> HostLayerKernels.dropoutBackward(n, mask, dy, dx));
    }

    @Override
    public void batchNormForwardTrain(int rows, int features, float eps, float momentum, float[] x, float[] gamma, float[] beta,
                                      float[] runningMean, float[] runningVar, float[] invStd, float[] xHat, float[] y) {
        queue(() -> HostLayerKernels.batchNormForwardTrain(rows, features, eps, momentum, x, gamma, beta, runningMean, runningVar,
                invStd, xHat, y));
    }

    @Override
    public void batchNormForwardEval(int rows, int features, float eps, float[] x, float[] gamma, float[] beta,
                                     float[] runningMean, float[] runningVar, float[] invStd, float[] xHat, float[] y) {
        queue(() -> HostLayerKernels.batchNormForwardEval(rows, features, eps, x, gamma, beta, runningMean, runningVar, invStd,
                xHat, y));
    }

    @Override
    public void batchNormBackward(int rows, int features, boolean training, float[] dy, float[] xHat, float[] gamma,
                                  float[] invStd, float[] dGamma, float[] dBeta, float[] dx) {
        queue(() -> HostLayerKernels.batchNormBackward(rows, features, training, dy, xHat, gamma, invStd, dGamma, dBeta, dx));
    }

    @Override
    public void logSoftmaxForward(int rows, int cols, float[] z, float[] y) {
        queue(() -> HostLayerKernels.logSoftmaxForward(rows, cols, z, y));
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, float[] y, float[] dy, float[] dz) {
        queue(() -> HostLayerKernels.logSoftmaxBackward(rows, cols, y, dy, dz));
    }

    @Override
    public void softmaxForward(int rows, int cols, float[] z, float[] y) {
        queue(() -> HostLayerKernels.softmaxForward(rows, cols, z, y));
    }

    @Override
    public void softmaxBackward(int rows, int cols, float[] y, float[] dy, float[] dz) {
        queue(() -> HostLayerKernels.softmaxBackward(rows, cols, y, dy, dz));
    }

    @Override
    public void rowLoss(RowLoss loss, int rows, int cols, float[] prediction, float[] target, float gradScale, float[] rowLoss,
                        float[] grad) {
        queue(() -> HostLayerKernels.rowLoss(loss, rows, cols, prediction, target, gradScale, rowLoss, grad));
    }

    @Override
    public void close() {
    }
}
