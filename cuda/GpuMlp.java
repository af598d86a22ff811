package cuda;

import backprop.BatchBuffer;
import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.Parameter;
import backprop.layers.Dropout;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tensor.Tensor;

/**
 * The GPU mirror of the CPU training step, layer by layer, as llm.c's train_gpt2.cu mirrors train_gpt2.c: the
 * same {@link Network} (Dense, BatchNorm and Dropout layers, sigmoid, tanh, ReLU, leaky ReLU and log-softmax
 * between them), the same loss (softmax cross-entropy, mse, mse_half, sse, l1, bce_logits, nll, hinge, each
 * with the CPU's averaging), the same optimizer ({@link Sgd}: heavy-ball momentum, L1/L2 on the parameters its
 * regularization applies to, frozen parameters skipped), each stage a device kernel ({@link GpuStage} and its
 * kinds, {@link GpuLoss}):
 *
 * <pre>
 * forward    Dense       h = x·Wᵀ + b                     sgemm, bias_add
 *            BatchNorm   y = γ·(x − μ)/√(σ² + eps) + β    batch_norm_forward_train (running statistics updated)
 *            Dropout     y = x·[u ≥ p]/(1 − p)            dropout_forward (the CPU layer's mask stream)
 *            function    y = f(h)                         sigmoid/tanh/relu/leaky_relu/log_softmax forward
 * loss       ∂E/∂z and a partial sum a row                softmax_cross_entropy or a row-loss kernel
 * backward   the same layers in reverse, as far as a parameter needs it (not the first trainable layer's ∂E/∂x)
 * update     g ← g + λ₂w + λ₁sign(w), v ← μv + g, w ← w − lr·v        sgd_momentum (weights, biases, γ, β)
 * </pre>
 *
 * Weights, gradients, momentum, running statistics and every activation stay on the device from construction
 * to {@link #close}; a {@link #step} uploads the batch (inputs and targets, and the dropout layers' stream
 * positions) and downloads the loss of each row, nothing else. {@link #copyToNetwork} brings the weights, the
 * last gradients, the running statistics and the velocity back into the CPU network and optimizer (for
 * evaluation, checkpoints, the test accuracy); {@link #copyFromNetwork} sends them up again. The learning
 * rate, momentum and regularization are read from the {@link Sgd} at each step, so a schedule that changes the
 * learning rate applies here. A dropout layer draws the masks of the CPU layer reseeded with the seed given to
 * {@link #reseedDropout}.
 *
 * <p>The host's cost per step is kept to a few driver calls: the forward, loss, backward and update
 * kernels are captured once into a graph ({@link DeviceKernels#capture}) and queued with one launch; the
 * batch goes up and the losses come down through page-locked staging buffers, asynchronously. With
 * {@link #submit} and {@link #takeLoss} the host gathers the next batch while the GPU runs this one.
 *
 * <p>{@link #forInference} builds a mirror without optimizer or loss that only answers: {@link #infer} runs the
 * evaluation forward of a batch of a fixed size as one captured graph, the rows going up and the outputs coming down
 * through page-locked staging buffers ({@code nabla serve --backend cuda}).
 *
 * <p>Written once over {@link DeviceKernels}: {@link #onGpu} runs it with CUDA; the tests also run it
 * with a float[] twin of each kernel to hold its bookkeeping to the CPU step without a GPU. A step
 * with the batch size of the step before allocates nothing on the host (a graph is captured for each new
 * batch size and after each change of the optimizer's settings). Not thread-safe.
 *
 * @param <B> the device's buffer type
 */
public final class GpuMlp<B> implements AutoCloseable {
    private final Network network;
    private final Sgd sgd;
    private final String lossName;
    private final GpuLoss loss;
    private final DeviceKernels<B> device;
    private final List<DeviceKernels<B>> sites = new ArrayList<>();
    private final List<GpuStage<B>> stages = new ArrayList<>();
    private final List<GpuDropoutStage<B>> dropouts = new ArrayList<>();
    private final int inputs;
    private final int classes;
    private final int minTrainingBatch;
    private final DeviceKernels<B> lossSite;
    private int maxBatch;
    private B input;      // x [maxBatch, inputs]: the buffer of the step being submitted, one of inputBuffers
    private B targets;    // rows [maxBatch, classes] (one-hot or given) or [maxBatch] class indices, one of targetBuffers
    private B dropoutStreams;  // the dropout layers' stream positions of the step, one of dropoutStreamBuffers
    /**
     * Two of each, used by alternate steps: the next batch is copied up (on a copy stream) while the GPU
     * still computes on the last one. A step reuses a buffer of the step two before it, which has
     * finished: at most two steps are in flight, and taking the older one's loss waited for it.
     */
    private final List<B> inputBuffers = new ArrayList<>(2), targetBuffers = new ArrayList<>(2),
            dropoutStreamBuffers = new ArrayList<>(2);
    private int bufferSlot;
    private B probs;      // softmax(z) [maxBatch, classes], softmax cross-entropy only
    private B rowLoss;    // the loss's partial sum a row [maxBatch]
    private B dlogits;    // ∂E/∂z [maxBatch, classes]
    private float[] hostTargets;
    private float[] hostRowLoss;
    private final float[] hostDropoutStreams;
    private final B[] stageInputs;  // the buffer each stage read in the forward pass being captured
    /** Steps queued by submit and not yet read by takeLoss: at most this many. */
    public static final int MAX_IN_FLIGHT = 2;
    private final int[] inFlightBatch = new int[MAX_IN_FLIGHT];
    private long submitted;
    private long taken;
    private final DeviceKernels<B> inputSite;
    private final DeviceKernels<B> targetSite;
    private final DeviceKernels<B> dropoutSite;
    /** Graphs by batch size and buffer slot: an epoch's full batches and its shorter last one, in both slots. */
    private final DeviceKernels.Graph[] graphs = new DeviceKernels.Graph[4];
    private final int[] graphBatch = new int[4], graphBufferSlot = new int[4];
    private final long[] graphUsed = new long[4];
    private long graphClock;
    private int graphsCaptured;
    private float graphLr = Float.NaN, graphMu;
    private Regularization graphReg;
    private boolean[] graphFrozen;
    private final List<Parameter> parameters;  // the network's, in order (its frozen flags are part of a graph)
    private final BatchBuffer hostLogits = new BatchBuffer();
    /** The evaluation forward of maxBatch rows as one graph (an inference mirror's), the buffer it leaves the output in. */
    private DeviceKernels.Graph evaluationGraph;
    private B evaluationOutput;
    private final DeviceKernels<B> outputSite;
    private float[] hostOutput;
    private long steps;
    private boolean closed;
    /**
     * Every device buffer of the mirror and its stages that is not freed yet: {@link #close} frees them all, and so does
     * a construction that fails halfway (a stage whose second buffer found no memory leaves its first one here).
     */
    private final java.util.Set<B> allocated = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /**
     * The mirror of {@code network} on the probed GPU, its weights and {@code sgd}'s velocity copied up,
     * buffers for batches of up to {@code maxBatch} rows (larger ones grow them). Throws
     * {@link GpuUnavailableException} without a GPU and {@link UnsupportedOperationException} naming the
     * first layer or the loss that has no GPU version.
     */
    public static GpuMlp<DeviceBuffer> onGpu(Network network, Sgd sgd, Loss loss, int maxBatch) {
        return new GpuMlp<>(network, sgd, loss, maxBatch, new CudaKernels());
    }

    /** The mirror on {@code device} (one call site of it; the mirror makes the others it needs). */
    public GpuMlp(Network network, Sgd sgd, Loss loss, int maxBatch, DeviceKernels<B> device) {
        this(network, requireTrainable(network, sgd, loss), loss, maxBatch, device, true);
    }

    /**
     * A mirror that only answers: the network's weights and batch norm statistics on the device (no gradients,
     * velocities or loss), and the evaluation forward of {@code batch} rows captured once as a graph, which
     * {@link #infer} replays for every batch of up to that many rows; it has run twice before this returns, so that the
     * first request pays no one-time cost. Throws {@link UnsupportedOperationException} naming the first layer that has
     * no GPU version ({@link #unsupportedLayer}); a failure on the device frees what was taken and is rethrown.
     */
    public static <B> GpuMlp<B> forInference(Network network, int batch, DeviceKernels<B> device) {
        String why = unsupportedLayer(network);
        if (why != null) throw new UnsupportedOperationException(why);
        GpuMlp<B> mlp = new GpuMlp<>(network, null, null, batch, device, false);
        try {
            mlp.captureEvaluation();
            mlp.warmUp();
        } catch (RuntimeException | Error e) {
            mlp.closeAfterFailure(e);  // a capture that fails (a CUDA error, no memory for the graph) frees the mirror
            throw e;
        }
        return mlp;
    }

    /**
     * Runs the evaluation graph twice on {@code maxBatch} zero rows, so that no request pays what a first call costs:
     * the input's two page-locked staging buffers (used in turn) and the output's are grown to {@code maxBatch} rows
     * here (growing one waits for the GPU, frees and allocates page-locked memory: milliseconds), and the graph's first
     * launch, which uploads it to the device, happens here.
     */
    private void warmUp() {
        float[] zeros = new float[maxBatch * inputs];
        for (int i = 0; i < 2; i++) infer(zeros, 0, maxBatch, hostOutput, 0);
    }

    private static Sgd requireTrainable(Network network, Sgd sgd, Loss loss) {
        String why = unsupported(network, loss);
        if (why != null) throw new UnsupportedOperationException(why);
        requireSameParameters(network, sgd);
        return sgd;
    }

    @SuppressWarnings("unchecked")
    private GpuMlp(Network network, Sgd sgd, Loss loss, int maxBatch, DeviceKernels<B> device, boolean training) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        this.network = network;
        this.sgd = sgd;  // null for inference
        this.lossName = training ? loss.name() : "none";
        this.loss = training ? GpuLoss.of(loss) : null;
        this.device = device;
        this.inputs = network.inputFeatures();
        this.classes = network.outputFeatures();
        GpuStage.Context<B> ctx = new GpuStage.Context<>() {
            @Override public DeviceKernels<B> device() { return GpuMlp.this.device; }
            @Override public B allocate(int floats) { return GpuMlp.this.allocate(floats); }
            @Override public void free(B buffer) { GpuMlp.this.free(buffer); }
            @Override public DeviceKernels<B> newSite() { return site(); }
            @Override public Sgd sgd() { return GpuMlp.this.sgd; }
            @Override public B dropoutStreams() { return dropoutStreams; }
        };
        this.stageInputs = (B[]) new Object[network.layers().size()];
        this.parameters = List.copyOf(network.parameters());
        // from here on device memory is taken: whatever fails (no memory, a CUDA error) frees what was taken
        try {
            int minBatch = 1;
            for (int i = 0; i < network.layers().size(); i++) {
                GpuStage<B> s = GpuStage.of(ctx, network, i, dropouts.size());
                stages.add(s);
                if (s instanceof GpuDropoutStage<B> d) dropouts.add(d);
                minBatch = Math.max(minBatch, s.minTrainingBatch());
            }
            this.minTrainingBatch = minBatch;
            this.hostDropoutStreams = new float[Math.max(1, dropouts.size()) * DropoutStream.FLOATS];
            this.lossSite = site();
            this.inputSite = site();
            this.targetSite = site();
            this.dropoutSite = site();
            this.outputSite = site();
            allocateBatchBuffers(maxBatch);
            copyFromNetwork();
        } catch (RuntimeException | Error e) {
            closeAfterFailure(e);
            throw e;
        }
    }

    /**
     * Why {@code network} with {@code loss} cannot train on the GPU ("layer softmax3 has no GPU version"), or null
     * when it can: Dense, BatchNorm, Dropout, Sigmoid, Tanh, ReLU, LeakyReLU and LogSoftmax layers; softmax
     * cross-entropy, mse, mse_half, sse, l1, bce_logits, nll and hinge losses.
     */
    public static String unsupported(Network network, Loss loss) {
        String why = unsupportedLayer(network);
        if (why != null) return why;
        if (GpuLoss.of(loss) == null) return "loss " + loss.name() + " has no GPU version";
        return null;
    }

    /** Why the forward pass of {@code network} cannot run on the GPU (its first layer without a GPU version), or null. */
    public static String unsupportedLayer(Network network) {
        for (Layer l : network.layers()) {
            String why = GpuStage.unsupported(l);
            if (why != null) return why;
        }
        return null;
    }

    private static void requireSameParameters(Network network, Sgd sgd) {
        for (Parameter p : network.parameters()) {
            try {
                sgd.velocity(p.name());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the optimizer does not update " + p.name() + " of the network: "
                        + e.getMessage());
            }
        }
    }

    private B allocate(int floats) {
        B b = device.allocate(floats);
        allocated.add(b);
        return b;
    }

    private void free(B buffer) {
        allocated.remove(buffer);
        device.free(buffer);
    }

    private DeviceKernels<B> site() {
        DeviceKernels<B> s = sites.isEmpty() ? device : device.newCallSite();
        sites.add(s);
        return s;
    }

    /**
     * Restarts the mask stream of {@code layer} (a dropout layer of the network) from {@code new SplittableRandom(seed)},
     * as {@link Dropout#reseed} does on the CPU: from here on the mirror draws the masks the CPU layer reseeded with
     * {@code seed} would draw. Call it where the CPU layer is reseeded ({@code app.train.Training} does at each epoch);
     * a training step through a dropout layer with a rate above 0 that was never reseeded here is refused.
     */
    public void reseedDropout(Dropout layer, long seed) {
        for (GpuDropoutStage<B> d : dropouts) {
            if (d.layer() == layer) {
                d.reseed(seed);
                return;
            }
        }
        throw new IllegalArgumentException("dropout layer " + layer.name() + " is not a layer of this network");
    }

    // ---------------------------------------------------------------- the step

    /**
     * One training step on the batch x [batch, inputs] with targets as the CPU loss takes them:
     * [batch] class indices (as floats) or [batch, classes] rows. Returns the mean
     * loss of the batch, computed before the update (as {@link backprop.Trainer#step}). Waits for the
     * step; {@link #submit} and {@link #takeLoss} let the host prepare the next batch meanwhile.
     */
    public double step(Tensor x, Tensor target) {
        requireNothingInFlight("step()");
        submit(x, target);
        return takeLoss();
    }

    /**
     * Queues a training step on the batch (as {@link #step}) and returns without waiting for it: the batch
     * and targets are copied into staging buffers first, so the caller may refill its tensors at once. At
     * most {@link #MAX_IN_FLIGHT} steps may be queued before {@link #takeLoss} reads the oldest.
     */
    public void submit(Tensor x, Tensor target) {
        requireOpen();
        if (loss == null) throw new IllegalStateException("a mirror for inference (GpuMlp.forInference) does not train");
        if (submitted - taken >= MAX_IN_FLIGHT) {
            throw new IllegalStateException(MAX_IN_FLIGHT + " steps in flight: takeLoss() before submitting another");
        }
        int slot = (int) (submitted % MAX_IN_FLIGHT);
        requireInput(x);
        requireTrainingBatch(x.dim(0));
        checkTargets(target, x.dim(0));
        useBuffersOf(slot);
        int batch = uploadInput(x);
        uploadTargets(target, batch);
        if (!dropouts.isEmpty()) {
            for (int i = 0; i < dropouts.size(); i++) dropouts.get(i).beforeStep(batch, hostDropoutStreams);  // no iterator a step
            dropoutSite.uploadAsync(hostDropoutStreams, 0, dropoutStreams, hostDropoutStreams.length);
        }
        // forward, the loss's gradient and row sums, backward, update
        graphFor(batch, slot).launch();
        // the loss comes down behind the step, into the slot's staging buffer
        lossSite.downloadLater(rowLoss, batch, slot);
        inFlightBatch[slot] = batch;
        submitted++;
    }

    /** Waits for the oldest submitted step whose loss is not taken yet; returns its mean loss. */
    public double takeLoss() {
        if (taken == submitted) throw new IllegalStateException("takeLoss() with no submitted step");
        int slot = (int) (taken % MAX_IN_FLIGHT);
        int batch = inFlightBatch[slot];
        lossSite.awaitDownload(slot, hostRowLoss, batch);
        taken++;
        steps++;
        double sum = 0;
        for (int r = 0; r < batch; r++) sum += hostRowLoss[r];
        double e = loss.value(sum, batch, classes);
        if (!Double.isFinite(e)) {
            int r = 0;
            while (r < batch && Float.isFinite(hostRowLoss[r])) r++;
            throw new ArithmeticException("step " + steps + " on the GPU: loss " + lossName + " is " + e
                    + (r < batch ? " (row " + r + ": " + hostRowLoss[r] + ")" : "") + " (learning rate " + sgd.learningRate()
                    + "; a smaller one may help); the network keeps the weights of the last copyToNetwork");
        }
        return e;
    }

    /**
     * Waits for the submitted steps whose loss is not taken and drops their losses (after a failed
     * {@link #takeLoss}, whose exception ends an epoch with a step still in flight). Their updates stay.
     */
    public void discardInFlight() {
        while (taken < submitted) {
            int slot = (int) (taken % MAX_IN_FLIGHT);
            taken++;
            steps++;
            lossSite.awaitDownload(slot, hostRowLoss, inFlightBatch[slot]);
        }
    }

    /** Steps submitted and not taken. */
    public int inFlight() {
        return (int) (submitted - taken);
    }

    /**
     * The captured step for this batch size and buffer slot: forward, loss, backward and update as one
     * graph. A graph holds the learning rate, momentum, regularization and frozen flags it was captured
     * with, so all graphs are dropped when one of them changes (a schedule's new rate: once an epoch);
     * four are kept, the least recently used replaced (an epoch's full batches and its shorter last one,
     * each in both slots).
     */
    private DeviceKernels.Graph graphFor(int batch, int bufferSlot) {
        if (!capturedWithCurrentSettings()) {
            closeGraphs();
            rememberSettings();
        }
        graphClock++;
        int slot = 0;
        for (int i = 0; i < graphs.length; i++) {
            if (graphs[i] != null && graphBatch[i] == batch && graphBufferSlot[i] == bufferSlot) {
                graphUsed[i] = graphClock;
                return graphs[i];
            }
            if (graphUsed[i] < graphUsed[slot]) slot = i;  // the least recently used (or an empty) entry
        }
        if (graphs[slot] != null) graphs[slot].close();
        graphs[slot] = device.capture(() -> {
            B z = forward(batch, true);
            lossOf(z, batch);
            backward(batch);
            update();
        });
        graphBatch[slot] = batch;
        graphBufferSlot[slot] = bufferSlot;
        graphUsed[slot] = graphClock;
        graphsCaptured++;
        return graphs[slot];
    }

    /** ∂E/∂z into dlogits and a partial sum a row into rowLoss, for the prediction z [batch, classes]. */
    private void lossOf(B z, int batch) {
        float gradScale = loss.gradScale(batch, classes);
        if (loss == GpuLoss.SOFTMAX_CE) {
            // p = softmax(z), rowLoss = −Σ_k y_k·log p_k, ∂E/∂z = (p − y)/B
            lossSite.softmaxCrossEntropy(batch, classes, z, targets, probs, rowLoss, dlogits, gradScale);
        } else {
            // GpuLoss's table: the row sums and ∂E/∂z with the CPU's scale
            lossSite.rowLoss(loss.kernel, batch, classes, z, targets, gradScale, rowLoss, dlogits);
        }
    }

    private boolean capturedWithCurrentSettings() {
        Regularization reg = sgd.regularization();
        // the Regularization itself, not only λ₁ and λ₂: whether it applies to biases is baked in too
        if (graphLr != sgd.learningRate() || graphMu != sgd.momentum() || graphReg != reg) return false;
        for (int i = 0; i < parameters.size(); i++) if (graphFrozen[i] != parameters.get(i).frozen()) return false;
        return true;
    }

    private void rememberSettings() {
        Regularization reg = sgd.regularization();
        graphLr = sgd.learningRate();
        graphMu = sgd.momentum();
        graphReg = reg;
        if (graphFrozen == null) graphFrozen = new boolean[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) graphFrozen[i] = parameters.get(i).frozen();
    }

    private void closeGraphs() {
        for (int i = 0; i < graphs.length; i++) {
            if (graphs[i] != null) graphs[i].close();
            graphs[i] = null;
            graphUsed[i] = 0;
        }
    }

    private void closeEvaluationGraph() {
        if (evaluationGraph != null) evaluationGraph.close();
        evaluationGraph = null;
    }

    /** Graphs captured so far (one for each batch size and buffer slot, and again after each change of the settings). */
    public int graphsCaptured() {
        return graphsCaptured;
    }

    /**
     * The forward pass of x [batch, inputs] on the device in evaluation mode (dropout the identity, batch norm
     * with its running statistics); returns the network's output [batch, classes] (a reused host buffer).
     */
    public Tensor predict(Tensor x) {
        requireNothingInFlight("predict()");
        requireInput(x);
        useBuffersOf((int) (submitted % MAX_IN_FLIGHT));
        int batch = uploadInput(x);
        B z = forward(batch, false);
        Tensor logits = hostLogits.get(batch, classes);
        device.download(z, logits.data(), batch * classes);
        return logits;
    }

    /**
     * The evaluation forward of {@code rows} rows (1 ≤ rows ≤ the mirror's batch) of x, inputs floats a row from
     * {@code xOff}, into out, classes floats a row from {@code outOff}: the rows go up through a page-locked
     * staging buffer, the captured graph of an inference mirror ({@link #forInference}) runs, the outputs come
     * down the same way. Allocates nothing. The graph computes all of the mirror's batch rows: those past
     * {@code rows} hold an earlier call's inputs, and since every stage of the evaluation forward works row by
     * row (products, bias, functions, batch norm with its running statistics, dropout as the identity), they
     * never reach the first {@code rows}; nor does a row's answer depend on the rows beside it.
     */
    public void infer(float[] x, int xOff, int rows, float[] out, int outOff) {
        requireOpen();
        if (evaluationGraph == null) throw new IllegalStateException("infer() needs a mirror made by GpuMlp.forInference");
        if (rows < 1 || rows > maxBatch) throw new IllegalArgumentException("infer: " + rows + " rows, expected 1.." + maxBatch);
        if (xOff < 0 || (long) xOff + (long) rows * inputs > x.length || outOff < 0 || (long) outOff + (long) rows * classes > out.length) {
            throw new IllegalArgumentException("infer: " + rows + " rows of " + inputs + " inputs at " + xOff + " (array of " + x.length
                    + ") into " + classes + " outputs at " + outOff + " (array of " + out.length + ") is out of range");
        }
        inputSite.uploadAsync(x, xOff, inputBuffers.get(0), rows * inputs);  // the buffer the graph reads
        evaluationGraph.launch();
        outputSite.downloadLater(evaluationOutput, rows * classes, 0);
        outputSite.awaitDownload(0, hostOutput, rows * classes);
        System.arraycopy(hostOutput, 0, out, outOff, rows * classes);
    }

    /** Captures the evaluation forward of maxBatch rows from slot 0's input buffer (an inference mirror uses no other). */
    private void captureEvaluation() {
        useBuffersOf(0);
        evaluationGraph = device.capture(() -> evaluationOutput = forward(maxBatch, false));
    }

    /** Runs the stages on the input buffer; returns the buffer that holds the output. */
    private B forward(int batch, boolean training) {
        B x = input;
        for (int i = 0; i < stages.size(); i++) {
            stageInputs[i] = x;
            x = stages.get(i).forward(x, batch, training);
        }
        return x;
    }

    /** Backward from dlogits as far as a parameter needs it, as {@link Network#backwardParameters}. */
    private void backward(int batch) {
        int first = firstTrainableStage();
        if (first < 0) return;  // everything frozen: no gradient is needed
        B g = dlogits;
        for (int i = stages.size() - 1; i >= first; i--) {
            g = stages.get(i).backward(stageInputs[i], g, batch, i > first);
        }
    }

    private int firstTrainableStage() {
        for (int i = 0; i < stages.size(); i++) if (stages.get(i).trainable()) return i;
        return -1;
    }

    private void update() {
        float lr = sgd.learningRate(), mu = sgd.momentum();
        Regularization reg = sgd.regularization();
        for (GpuStage<B> s : stages) s.update(lr, mu, reg);
    }

    /** Steps taken. */
    public long steps() {
        return steps;
    }

    // ---------------------------------------------------------------- host ↔ device

    private void requireInput(Tensor x) {
        requireOpen();
        if (x.rank() != 2 || x.transposed() || x.dim(1) != inputs || x.dim(0) < 1) {
            throw new IllegalArgumentException("GPU network input: expected a row-major batch [batch >= 1, " + inputs
                    + "] but got " + Arrays.toString(x.shape()) + (x.transposed() ? " (transposed view)" : ""));
        }
        if (x.ld() != inputs) {
            throw new IllegalArgumentException("GPU network input: rows " + x.ld() + " floats apart, expected contiguous rows of "
                    + inputs + " (copy the batch first)");
        }
    }

    /** A batch norm layer needs 2 rows for a batch variance in training, as on the CPU. */
    private void requireTrainingBatch(int batch) {
        if (batch >= minTrainingBatch) return;
        for (GpuStage<B> s : stages) {
            if (batch < s.minTrainingBatch()) {
                throw new IllegalArgumentException(network.layers().get(s.index) + ": training needs more than 1 row per batch for a "
                        + "batch variance, got " + batch);
            }
        }
    }

    /** Grows the buffers for x's batch, uploads it; returns the batch size. */
    private int uploadInput(Tensor x) {
        int batch = x.dim(0);
        if (batch > maxBatch) allocateBatchBuffers(batch);
        inputSite.uploadAsync(x.data(), x.offset(), input, batch * inputs);
        return batch;
    }

    /** Checks the targets as the CPU loss does, before anything is queued. */
    private void checkTargets(Tensor t, int batch) {
        if (t.rank() == 1 && (loss.indicesOnly() || loss.indicesOrRows())) {
            if (t.dim(0) != batch) {
                throw new IllegalArgumentException("loss " + lossName + ": " + t.dim(0) + " labels for a batch of " + batch);
            }
            float[] d = t.data();
            for (int r = 0; r < batch; r++) {
                float c = d[t.offset() + r];
                if (!(c >= 0 && c < classes) || c != Math.rint(c)) {
                    throw new IllegalArgumentException("loss " + lossName + ": label " + c + " at row " + r + " is outside the "
                            + classes + " classes [0, " + classes + ")");
                }
            }
        } else if (loss.indicesOnly()) {
            throw new IllegalArgumentException("loss " + lossName + ": needs [batch] class indices, got a target of shape "
                    + Arrays.toString(t.shape()));
        } else if (!(t.rank() == 2 && t.dim(0) == batch && t.dim(1) == classes && !t.transposed() && t.ld() == classes)) {
            throw new IllegalArgumentException("loss " + lossName + ": target shape " + Arrays.toString(t.shape())
                    + " does not fit a batch of " + batch + " with " + classes + (loss.indicesOrRows()
                            ? " classes (give [" + batch + "] class indices or [" + batch + ", " + classes + "] rows)"
                            : " outputs (give [" + batch + ", " + classes + "] rows)"));
        }
    }

    /** The targets as the loss kernel reads them: class indices (nll, hinge), one-hot rows from indices (ce), or rows. */
    private void uploadTargets(Tensor t, int batch) {
        if (t.rank() == 1 && loss.indicesOnly()) {
            targetSite.uploadAsync(t.data(), t.offset(), targets, batch);
        } else if (t.rank() == 1) {
            float[] d = t.data();
            Arrays.fill(hostTargets, 0, batch * classes, 0f);
            for (int r = 0; r < batch; r++) hostTargets[r * classes + (int) d[t.offset() + r]] = 1f;
            targetSite.uploadAsync(hostTargets, 0, targets, batch * classes);
        } else {
            targetSite.uploadAsync(t.data(), t.offset(), targets, batch * classes);
        }
    }

    private void useBuffersOf(int slot) {
        bufferSlot = slot;
        input = inputBuffers.get(slot);
        targets = targetBuffers.get(slot);
        dropoutStreams = dropoutStreamBuffers.get(slot);
    }

    private void allocateBatchBuffers(int batch) {
        if (submitted != taken) {
            throw new IllegalStateException("a batch of " + batch + " rows needs larger buffers than " + maxBatch + " rows while "
                    + (submitted - taken) + " steps are in flight: take their losses first");
        }
        closeGraphs();  // they point at the buffers about to be freed
        boolean evaluating = evaluationGraph != null;
        closeEvaluationGraph();
        if (!inputBuffers.isEmpty()) freeBatchBuffers();
        maxBatch = batch;
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            inputBuffers.add(allocate(batch * inputs));
            targetBuffers.add(allocate(batch * classes));
            if (dropoutStreamBuffers.size() < MAX_IN_FLIGHT) dropoutStreamBuffers.add(allocate(hostDropoutStreams.length));
        }
        useBuffersOf(bufferSlot);
        probs = loss == GpuLoss.SOFTMAX_CE ? allocate(batch * classes) : null;
        rowLoss = allocate(batch);
        dlogits = allocate(batch * classes);
        hostTargets = new float[batch * classes];
        hostRowLoss = new float[batch];
        hostOutput = new float[batch * classes];
        for (GpuStage<B> s : stages) s.allocateBatchBuffers(batch);
        if (evaluating) captureEvaluation();  // an inference mirror asked to predict a larger batch: its graph again
    }

    /** Frees the buffers of a batch before larger ones are allocated (close frees everything through {@link #allocated}). */
    private void freeBatchBuffers() {
        for (B b : inputBuffers) free(b);
        for (B b : targetBuffers) free(b);
        inputBuffers.clear();
        targetBuffers.clear();
        if (probs != null) free(probs);
        if (rowLoss != null) free(rowLoss);
        if (dlogits != null) free(dlogits);
        probs = rowLoss = dlogits = null;
        for (GpuStage<B> s : stages) s.freeBatchBuffers();
    }

    /**
     * Writes the device's weights, biases, γ and β into the network's parameters, the last gradients of the
     * unfrozen ones into their gradients, the batch norm layers' running statistics into theirs, and the
     * velocity into the optimizer's (with momentum).
     */
    public void copyToNetwork() {
        requireOpen();
        requireNothingInFlight("copyToNetwork()");
        for (GpuStage<B> s : stages) s.copyToNetwork();
    }

    /**
     * Sends the network's parameters and running statistics and the optimizer's velocity (zeros without momentum)
     * up to the device.
     */
    public void copyFromNetwork() {
        requireOpen();
        requireNothingInFlight("copyFromNetwork()");
        for (GpuStage<B> s : stages) s.copyFromNetwork();
    }

    public Network network() {
        return network;
    }

    private void requireNothingInFlight(String what) {
        if (submitted != taken) {
            throw new IllegalStateException(what + " with " + (submitted - taken) + " submitted steps whose loss is not taken yet");
        }
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("GpuMlp used after close()");
    }

    /** Frees every device buffer (the network keeps what the last {@link #copyToNetwork} wrote). */
    @Override
    public void close() {
        if (closed) return;
        try {
            discardInFlight();  // nothing is freed under a step still running
        } finally {
            closeAll();
        }
    }

    /** The graphs, every buffer still allocated, the call sites (and their staging buffers); each tried even if one before fails. */
    private void closeAll() {
        closed = true;
        RuntimeException failure = null;
        try {
            closeGraphs();
            closeEvaluationGraph();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (B b : allocated) {
            try {
                device.free(b);
            } catch (RuntimeException e) {
                if (failure == null) failure = e; else failure.addSuppressed(e);
            }
        }
        allocated.clear();
        inputBuffers.clear();
        targetBuffers.clear();
        dropoutStreamBuffers.clear();
        if (sites.isEmpty()) sites.add(device);  // a construction that failed before its first call site: the device is ours all the same
        for (DeviceKernels<B> s : sites) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e; else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    /** Frees what a mirror that failed to build holds, before {@code e} is rethrown (a failure of the freeing suppressed in it). */
    private void closeAfterFailure(Throwable e) {
        try {
            closeAll();
        } catch (RuntimeException | Error c) {
            e.addSuppressed(c);
        }
    }
}
