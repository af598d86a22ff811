package cuda;

import backprop.Network;
import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Sgd;
import data.Dataset;
import data.Loader;
import data.Normalization;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;
import tensor.Tensor;

/**
 * Where a config-B training step's time goes on the GPU (a tool, not a test; needs a GPU):
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... cuda.GpuStepProfile [steps]
 * </pre>
 * prints (1) the host's wall time of a step: synchronous ({@code GpuMlp.step}), pipelined
 * ({@code submit}/{@code takeLoss}), and an epoch with the Loader as {@code bench.GpuEpochBench} runs it;
 * (2) each device operation's GPU time (CUDA events around it, mean over the steps), by operation and
 * shape; (3) the Loader's host time to gather and normalize a batch.
 */
public final class GpuStepProfile {
    private GpuStepProfile() {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        if (!Gpu.available()) {
            System.out.println("GpuStepProfile: " + Gpu.probe().describe());
            return;
        }
        System.out.println("GpuStepProfile on " + Gpu.probe().device());
        int batch = 128, examples = 60_000;
        int[] sizes = {784, 256, 128, 10};
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = Tensor.zeros(examples, sizes[0]);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) rng.nextDouble();
        int[] y = new int[examples];
        for (int i = 0; i < examples; i++) y[i] = rng.nextInt(10);
        Dataset data = new Dataset("synthetic", x, y, 10, null, null);
        Loader loader = new Loader(data, batch, true, 42, Normalization.global(data), null);
        Tensor labels = Tensor.zeros(batch);

        // (3) the loader alone: gather + normalize a batch
        loader.startEpoch(0);
        long t0 = System.nanoTime();
        int batches = 0;
        while (loader.next()) batches++;
        loader.startEpoch(1);
        t0 = System.nanoTime();
        batches = 0;
        while (loader.next()) batches++;
        double loaderUs = (System.nanoTime() - t0) / 1e3 / batches;

        Network net = new Network(sizes[0]);
        for (int i = 1; i < sizes.length; i++) {
            net.add(new Dense(sizes[i - 1], sizes[i]));
            if (i + 1 < sizes.length) net.add(new ReLU());
        }
        net.initialize(Initializer.HE_NORMAL, 42);
        Sgd sgd = new Sgd(net, 0.05f).momentum(0.9f);
        CudaContext context = Gpu.context();

        // (1) whole steps: synchronous, pipelined on one batch, and an epoch as GpuEpochBench runs it
        try (GpuMlp<DeviceBuffer> mlp = new GpuMlp<>(net, sgd, new SoftmaxCrossEntropy(), batch, new CudaKernels(context))) {
            loader.startEpoch(2);
            loader.next();
            for (int r = 0; r < batch; r++) labels.data()[r] = loader.y()[r];
            for (int i = 0; i < 100; i++) mlp.step(loader.x(), labels);
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) mlp.step(loader.x(), labels);
            double stepUs = (System.nanoTime() - t0) / 1e3 / steps;
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                mlp.submit(loader.x(), labels);
                if (mlp.inFlight() > 1) mlp.takeLoss();
            }
            while (mlp.inFlight() > 0) mlp.takeLoss();
            double pipelinedUs = (System.nanoTime() - t0) / 1e3 / steps;
            double[] epochMs = new double[3];
            for (int e = 0; e < epochMs.length; e++) {
                t0 = System.nanoTime();
                loader.startEpoch(3 + e);
                while (loader.next()) {
                    for (int r = 0; r < loader.size(); r++) labels.data()[r] = loader.y()[r];
                    mlp.submit(loader.x(), loader.size() == batch ? labels : Tensor.ofSlice(labels.data(), 0, loader.size()));
                    if (mlp.inFlight() > 1) mlp.takeLoss();
                }
                while (mlp.inFlight() > 0) mlp.takeLoss();
                epochMs[e] = (System.nanoTime() - t0) / 1e6;
            }
            System.out.printf(Locale.ROOT, "step (host wall, one batch): synchronous %.1f us, pipelined %.1f us; loader gather+normalize %.1f us a batch%n",
                    stepUs, pipelinedUs, loaderUs);
            System.out.printf(Locale.ROOT, "epoch of %d examples, pipelined with the loader: %.1f / %.1f / %.1f ms (graphs captured: %d)%n",
                    examples, epochMs[0], epochMs[1], epochMs[2], mlp.graphsCaptured());
        }

        // (2) each operation's GPU time: a long product queued first keeps the GPU behind the host, so an
        // event pair times the operation alone, not the host's launch
        CudaSgemm dam = new CudaSgemm(context, SgemmVersion.V6_DOUBLE_BUFFERED);
        int n = 4096;
        DeviceBuffer da = DeviceBuffer.allocate(context, (long) n * n), dc = DeviceBuffer.allocate(context, (long) n * n);
        da.zero(0, (long) n * n);
        loader.startEpoch(2);
        loader.next();
        for (int r = 0; r < batch; r++) labels.data()[r] = loader.y()[r];
        Timed timed = new Timed(new CudaKernels(context), new TreeMap<>());
        try (GpuMlp<DeviceBuffer> mlp = new GpuMlp<>(net, sgd, new SoftmaxCrossEntropy(), batch, timed)) {
            for (int i = 0; i < 20; i++) mlp.step(loader.x(), labels);
            timed.collect();
            timed.totals.clear();
            for (int i = 0; i < steps / 10; i++) {
                dam.sgemm(false, false, n, n, n, 1f, da, 0, n, da, 0, n, 0f, dc, 0, n);
                mlp.step(loader.x(), labels);
                timed.collect();
            }
        }
        double sum = 0;
        for (Map.Entry<String, double[]> e : timed.totals.entrySet()) {
            double us = e.getValue()[0] / (steps / 10) * 1e3;
            sum += us;
            System.out.printf(Locale.ROOT, "  %-48s %4.0f calls/step %8.1f us/step%n", e.getKey(), e.getValue()[1] / (steps / 10), us);
        }
        System.out.printf(Locale.ROOT, "  %-48s %8.1f us/step of GPU time%n", "sum", sum);
        da.close();
        dc.close();
        dam.close();
    }

    /** CudaKernels with a CUDA event pair around each operation; {@link #collect} reads them after a step. */
    private static final class Timed implements DeviceKernels<DeviceBuffer> {
        private final CudaKernels inner;
        final Map<String, double[]> totals;  // label → {ms, calls}, shared by the call sites
        private final List<Object[]> pending;  // {label, start, stop}, shared by the call sites

        Timed(CudaKernels inner, Map<String, double[]> totals) {
            this(inner, totals, new ArrayList<>());
        }

        private Timed(CudaKernels inner, Map<String, double[]> totals, List<Object[]> pending) {
            this.inner = inner;
            this.totals = totals;
            this.pending = pending;
        }

        /** Runs op between two events; the label is read after op (an SGEMM site knows its version then). */
        private void time(Supplier<String> label, Runnable op) {
            CUevent start = new CUevent(), stop = new CUevent();
            JCudaDriver.cuEventCreate(start, 0);
            JCudaDriver.cuEventCreate(stop, 0);
            JCudaDriver.cuEventRecord(start, inner.stream());
            op.run();
            JCudaDriver.cuEventRecord(stop, inner.stream());
            pending.add(new Object[] {label.get(), start, stop});
        }

        void collect() {
            float[] ms = new float[1];
            for (Object[] p : pending) {
                CUevent start = (CUevent) p[1], stop = (CUevent) p[2];
                JCudaDriver.cuEventSynchronize(stop);
                JCudaDriver.cuEventElapsedTime(ms, start, stop);
                double[] t = totals.computeIfAbsent((String) p[0], k -> new double[2]);
                t[0] += ms[0];
                t[1]++;
                JCudaDriver.cuEventDestroy(start);
                JCudaDriver.cuEventDestroy(stop);
            }
            pending.clear();
        }

        @Override
        public DeviceKernels<DeviceBuffer> newCallSite() {
            return new Timed(inner.newCallSite(), totals, pending);
        }

        @Override
        public DeviceBuffer allocate(int floats) {
            return inner.allocate(floats);
        }

        @Override
        public void free(DeviceBuffer buffer) {
            inner.free(buffer);
        }

        @Override
        public void upload(float[] src, int srcOff, DeviceBuffer dst, int count) {
            time(() -> "upload " + count + " floats", () -> inner.upload(src, srcOff, dst, count));
        }

        @Override
        public void download(DeviceBuffer src, float[] dst, int count) {
            time(() -> "download " + count + " floats", () -> inner.download(src, dst, count));
        }

        @Override
        public void zero(DeviceBuffer buffer, int count) {
            inner.zero(buffer, count);
        }

        @Override
        public void uploadAsync(float[] src, int srcOff, DeviceBuffer dst, int count) {
            time(() -> "uploadAsync " + count + " floats", () -> inner.uploadAsync(src, srcOff, dst, count));
        }

        @Override
        public void downloadLater(DeviceBuffer src, int count, int slot) {
            time(() -> "downloadLater " + count + " floats", () -> inner.downloadLater(src, count, slot));
        }

        @Override
        public void awaitDownload(int slot, float[] dst, int count) {
            inner.awaitDownload(slot, dst, count);
        }

        /** Not a graph: the operations run again at each launch, so that each is timed. */
        @Override
        public Graph capture(Runnable operations) {
            return new Graph() {
                @Override public void launch() { operations.run(); }
                @Override public void close() { }
            };
        }

        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, int lda,
                          DeviceBuffer b, int ldb, float beta, DeviceBuffer c, int ldc) {
            time(() -> "sgemm " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k + " " + inner.sgemmVersion(),
                    () -> inner.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
        }

        @Override
        public void biasAdd(int rows, int cols, DeviceBuffer x, DeviceBuffer bias) {
            time(() -> "biasAdd " + rows + "x" + cols, () -> inner.biasAdd(rows, cols, x, bias));
        }

        @Override
        public void activationForward(Activation f, int n, DeviceBuffer z, DeviceBuffer y) {
            time(() -> f + " forward " + n, () -> inner.activationForward(f, n, z, y));
        }

        @Override
        public void activationBackward(Activation f, int n, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
            time(() -> f + " backward " + n, () -> inner.activationBackward(f, n, y, dy, dz));
        }

        @Override
        public void softmaxCrossEntropy(int rows, int cols, DeviceBuffer logits, DeviceBuffer targets, DeviceBuffer probs,
                                        DeviceBuffer rowLoss, DeviceBuffer dlogits, float gradScale) {
            time(() -> "softmaxCrossEntropy " + rows + "x" + cols,
                    () -> inner.softmaxCrossEntropy(rows, cols, logits, targets, probs, rowLoss, dlogits, gradScale));
        }

        @Override
        public void columnSums(int rows, int cols, DeviceBuffer x, DeviceBuffer out) {
            time(() -> "columnSums " + rows + "x" + cols, () -> inner.columnSums(rows, cols, x, out));
        }

        @Override
        public void leakyReluForward(int n, float slope, DeviceBuffer z, DeviceBuffer y) {
            time(() -> "leakyReluForward " + n, () -> inner.leakyReluForward(n, slope, z, y));
        }

        @Override
        public void leakyReluBackward(int n, float slope, DeviceBuffer z, DeviceBuffer dy, DeviceBuffer dz) {
            time(() -> "leakyReluBackward " + n, () -> inner.leakyReluBackward(n, slope, z, dy, dz));
        }

        @Override
        public void dropoutForward(int n, float p, DeviceBuffer stream, int streamIndex, DeviceBuffer x, DeviceBuffer mask,
                                   DeviceBuffer y) {
            time(() -> "dropoutForward " + n, () -> inner.dropoutForward(n, p, stream, streamIndex, x, mask, y));
        }

        @Override
        public void dropoutBackward(int n, DeviceBuffer mask, DeviceBuffer dy, DeviceBuffer dx) {
            time(() -> "dropoutBackward " + n, () -> inner.dropoutBackward(n, mask, dy, dx));
        }

        @Override
        public void batchNormForwardTrain(int rows, int features, float eps, float momentum, DeviceBuffer x, DeviceBuffer gamma,
                                          DeviceBuffer beta, DeviceBuffer runningMean, DeviceBuffer runningVar,
                                          DeviceBuffer invStd, DeviceBuffer xHat, DeviceBuffer y) {
            time(() -> "batchNormForwardTrain " + rows + "x" + features, () -> inner.batchNormForwardTrain(rows, features, eps,
                    momentum, x, gamma, beta, runningMean, runningVar, invStd, xHat, y));
        }

        @Override
        public void batchNormForwardEval(int rows, int features, float eps, DeviceBuffer x, DeviceBuffer gamma,
                                         DeviceBuffer beta, DeviceBuffer runningMean, DeviceBuffer runningVar,
                                         DeviceBuffer invStd, DeviceBuffer xHat, DeviceBuffer y) {
            time(() -> "batchNormForwardEval " + rows + "x" + features, () -> inner.batchNormForwardEval(rows, features, eps, x,
                    gamma, beta, runningMean, runningVar, invStd, xHat, y));
        }

        @Override
        public void batchNormBackward(int rows, int features, boolean training, DeviceBuffer dy, DeviceBuffer xHat,
                                      DeviceBuffer gamma, DeviceBuffer invStd, DeviceBuffer dGamma, DeviceBuffer dBeta,
                                      DeviceBuffer dx) {
            time(() -> "batchNormBackward " + rows + "x" + features, () -> inner.batchNormBackward(rows, features, training, dy,
                    xHat, gamma, invStd, dGamma, dBeta, dx));
        }

        @Override
        public void logSoftmaxForward(int rows, int cols, DeviceBuffer z, DeviceBuffer y) {
            time(() -> "logSoftmaxForward " + rows + "x" + cols, () -> inner.logSoftmaxForward(rows, cols, z, y));
        }

        @Override
        public void logSoftmaxBackward(int rows, int cols, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
            time(() -> "logSoftmaxBackward " + rows + "x" + cols, () -> inner.logSoftmaxBackward(rows, cols, y, dy, dz));
        }

        @Override
        public void softmaxForward(int rows, int cols, DeviceBuffer z, DeviceBuffer y) {
            time(() -> "softmaxForward " + rows + "x" + cols, () -> inner.softmaxForward(rows, cols, z, y));
        }

        @Override
        public void softmaxBackward(int rows, int cols, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dz) {
            time(() -> "softmaxBackward " + rows + "x" + cols, () -> inner.softmaxBackward(rows, cols, y, dy, dz));
        }

        @Override
        public void rowLoss(RowLoss loss, int rows, int cols, DeviceBuffer prediction, DeviceBuffer target, float gradScale,
                            DeviceBuffer rowLoss, DeviceBuffer grad) {
            time(() -> "rowLoss " + loss + " " + rows + "x" + cols,
                    () -> inner.rowLoss(loss, rows, cols, prediction, target, gradScale, rowLoss, grad));
        }

        @Override
        public void sgdMomentum(int n, float learningRate, float momentum, float l1, float l2, DeviceBuffer w, DeviceBuffer g,
                                DeviceBuffer v) {
            time(() -> "sgdMomentum " + n, () -> inner.sgdMomentum(n, learningRate, momentum, l1, l2, w, g, v));
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
