package cuda;

import backprop.BatchBuffer;
import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.Parameter;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Tanh;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tensor.Tensor;

/**
 * The GPU mirror of the CPU training step for a multilayer perceptron, layer by layer, as llm.c's
 * train_gpt2.cu mirrors train_gpt2.c: the same {@link Network} (Dense layers with sigmoid, tanh or ReLU
 * between them), the same loss ({@link SoftmaxCrossEntropy} on the logits, mean over the batch), the
 * same optimizer ({@link Sgd}: heavy-ball momentum, L1/L2 on the parameters its regularization applies
 * to, frozen parameters skipped), each stage a device kernel:
 *
 * <pre>
 * forward    Dense       h = x·Wᵀ            sgemm(no, transposed)
 *                        h += b              bias_add
 *            activation  y = f(h)            sigmoid/tanh/relu_forward
 * loss       p = softmax(z), E = −1/B·Σ log p_label, ∂E/∂z = (p − y)/B      softmax_cross_entropy
 * backward   activation  ∂E/∂h = ∂E/∂y·f'    sigmoid/tanh/relu_backward (from y)
 *            Dense       ∂E/∂W = (∂E/∂h)ᵀ·x  sgemm(transposed, no)
 *                        ∂E/∂b = Σ_rows ∂E/∂h column_sums
 *                        ∂E/∂x = ∂E/∂h·W     sgemm(no, no)   (not for the first trainable layer, as on the CPU)
 * update     g ← g + λ₂w + λ₁sign(w), v ← μv + g, w ← w − lr·v        sgd_momentum
 * </pre>
 *
 * Weights, gradients, momentum and every activation stay on the device from construction to
 * {@link #close}; a {@link #step} uploads the batch (inputs and one-hot targets) and downloads the loss
 * of each row, nothing else. {@link #copyToNetwork} brings the weights, the last gradients and the
 * velocity back into the CPU network and optimizer (for evaluation, checkpoints, the test accuracy);
 * {@link #copyFromNetwork} sends them up again. The learning rate, momentum and regularization are
 * read from the {@link Sgd} at each step, so a schedule that changes the learning rate applies here.
 *
 * <p>The host's cost per step is kept to a few driver calls: the forward, loss, backward and update
 * kernels are captured once into a graph ({@link DeviceKernels#capture}) and queued with one launch; the
 * batch goes up and the losses come down through page-locked staging buffers, asynchronously. With
 * {@link #submit} and {@link #takeLoss} the host gathers the next batch while the GPU runs this one.
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
    private final DeviceKernels<B> device;
    private final List<DeviceKernels<B>> sites = new ArrayList<>();
    private final Stage[] stages;
    private final int inputs;
    private final int classes;
    private final DeviceKernels<B> lossSite;
    private int maxBatch;
    private B input;      // x [maxBatch, inputs]: the buffer of the step being submitted, one of inputBuffers
    private B targets;    // one-hot (or distribution) rows [maxBatch, classes], one of targetBuffers
    /**
     * Two of each, used by alternate steps: the next batch is copied up (on a copy stream) while the GPU
     * still computes on the last one. A step reuses a buffer of the step two before it, which has
     * finished: at most two steps are in flight, and taking the older one's loss waited for it.
     */
    private final List<B> inputBuffers = new ArrayList<>(2), targetBuffers = new ArrayList<>(2);
    private int bufferSlot;
    private B probs;      // softmax(z) [maxBatch, classes]
    private B rowLoss;    // −Σ t·log p a row [maxBatch]
    private B dlogits;    // ∂E/∂z [maxBatch, classes]
    private float[] hostTargets;
    private float[] hostRowLoss;
    /** Steps queued by submit and not yet read by takeLoss: at most this many. */
    public static final int MAX_IN_FLIGHT = 2;
    private final int[] inFlightBatch = new int[MAX_IN_FLIGHT];
    private long submitted;
    private long taken;
    private final DeviceKernels<B> inputSite;
    private final DeviceKernels<B> targetSite;
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
    private long steps;
    private boolean closed;

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
        String why = unsupported(network, loss);
        if (why != null) throw new UnsupportedOperationException(why);
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        requireSameParameters(network, sgd);
        this.network = network;
        this.sgd = sgd;
        this.lossName = loss.name();
        this.device = device;
        this.inputs = network.inputFeatures();
        this.classes = network.outputFeatures();
        List<Layer> layers = network.layers();
        this.stages = new GpuMlp.Stage[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            stages[i] = l instanceof Dense d ? new DenseStage(i, d) : new ActivationStage(i, l, activationOf(l));
        }
        this.parameters = List.copyOf(network.parameters());
        this.lossSite = site();
        this.inputSite = site();
        this.targetSite = site();
        allocateBatchBuffers(maxBatch);
        copyFromNetwork();
    }

    /**
     * Why {@code network} with {@code loss} cannot train on the GPU ("layer batchnorm1 has no GPU
     * version"), or null when it can: Dense, Sigmoid, Tanh and ReLU layers, softmax cross-entropy.
     */
    public static String unsupported(Network network, Loss loss) {
        for (Layer l : network.layers()) {
            if (!(l instanceof Dense) && activationOf(l) == null) return "layer " + l.name() + " has no GPU version";
        }
        if (!(loss instanceof SoftmaxCrossEntropy)) {
            return "loss " + loss.name() + " has no GPU version (only softmax cross-entropy has)";
        }
        return null;
    }

    private static DeviceKernels.Activation activationOf(Layer l) {
        if (l instanceof Sigmoid) return DeviceKernels.Activation.SIGMOID;
        if (l instanceof Tanh) return DeviceKernels.Activation.TANH;
        if (l instanceof ReLU) return DeviceKernels.Activation.RELU;
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

    private DeviceKernels<B> site() {
        DeviceKernels<B> s = sites.isEmpty() ? device : device.newCallSite();
        sites.add(s);
        return s;
    }

    // ---------------------------------------------------------------- the step

    /**
     * One training step on the batch x [batch, inputs] with targets as the CPU loss takes them:
     * [batch] class indices (as floats) or [batch, classes] rows of a distribution. Returns the mean
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
        if (submitted - taken >= MAX_IN_FLIGHT) {
            throw new IllegalStateException(MAX_IN_FLIGHT + " steps in flight: takeLoss() before submitting another");
        }
        int slot = (int) (submitted % MAX_IN_FLIGHT);
        useBuffersOf(slot);
        int batch = uploadInput(x);
        uploadTargets(target, batch);
        // forward, p = softmax(z) with rowLoss = −Σ_k y_k·log p_k and ∂E/∂z = (p − y)/B, backward, update
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
        double e = sum / batch;
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
            forward(batch);
            lossSite.softmaxCrossEntropy(batch, classes, stages[stages.length - 1].output, targets, probs, rowLoss, dlogits,
                    1f / batch);
            backward(batch);
            update();
        });
        graphBatch[slot] = batch;
        graphBufferSlot[slot] = bufferSlot;
        graphUsed[slot] = graphClock;
        graphsCaptured++;
        return graphs[slot];
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

    /** Graphs captured so far (one for each batch size and buffer slot, and again after each change of the settings). */
    public int graphsCaptured() {
        return graphsCaptured;
    }

    /** The forward pass of x [batch, inputs] on the device; returns the logits [batch, classes] (a reused host buffer). */
    public Tensor predict(Tensor x) {
        requireNothingInFlight("predict()");
        useBuffersOf((int) (submitted % MAX_IN_FLIGHT));
        int batch = uploadInput(x);
        forward(batch);
        Tensor logits = hostLogits.get(batch, classes);
        device.download(stages[stages.length - 1].output, logits.data(), batch * classes);
        return logits;
    }

    private void forward(int batch) {
        B x = input;
        for (Stage s : stages) {
            s.forward(x, batch);
            x = s.output;
        }
    }

    /** Backward from dlogits as far as a parameter needs it, as {@link Network#backwardParameters}. */
    private void backward(int batch) {
        int first = firstTrainableStage();
        if (first < 0) return;  // everything frozen: no gradient is needed
        B g = dlogits;
        for (int i = stages.length - 1; i >= first; i--) {
            B x = i == 0 ? input : stages[i - 1].output;
            stages[i].backward(x, g, batch, i > first);
            g = stages[i].inputGradient;
        }
    }

    private int firstTrainableStage() {
        for (int i = 0; i < stages.length; i++) if (stages[i].trainable()) return i;
        return -1;
    }

    private void update() {
        float lr = sgd.learningRate(), mu = sgd.momentum();
        Regularization reg = sgd.regularization();
        for (Stage s : stages) s.update(lr, mu, reg);
    }

    /** Steps taken. */
    public long steps() {
        return steps;
    }

    // ---------------------------------------------------------------- host ↔ device

    /** Checks x, grows the buffers for its batch, uploads it; returns the batch size. */
    private int uploadInput(Tensor x) {
        requireOpen();
        if (x.rank() != 2 || x.transposed() || x.dim(1) != inputs || x.dim(0) < 1) {
            throw new IllegalArgumentException("GPU network input: expected a row-major batch [batch >= 1, " + inputs
                    + "] but got " + Arrays.toString(x.shape()) + (x.transposed() ? " (transposed view)" : ""));
        }
        int batch = x.dim(0);
        if (batch > maxBatch) allocateBatchBuffers(batch);
        if (x.ld() == inputs) {
            inputSite.uploadAsync(x.data(), x.offset(), input, batch * inputs);
        } else {
            throw new IllegalArgumentException("GPU network input: rows " + x.ld() + " floats apart, expected contiguous rows of "
                    + inputs + " (copy the batch first)");
        }
        return batch;
    }

    /** The targets as rows of a distribution: one-hot rows for [batch] class indices, else copied. */
    private void uploadTargets(Tensor t, int batch) {
        if (t.rank() == 1) {
            if (t.dim(0) != batch) {
                throw new IllegalArgumentException("loss " + lossName + ": " + t.dim(0) + " labels for a batch of " + batch);
            }
            float[] d = t.data();
            Arrays.fill(hostTargets, 0, batch * classes, 0f);
            for (int r = 0; r < batch; r++) {
                float c = d[t.offset() + r];
                if (!(c >= 0 && c < classes) || c != Math.rint(c)) {
                    throw new IllegalArgumentException("loss " + lossName + ": label " + c + " at row " + r + " is outside the "
                            + classes + " classes [0, " + classes + ")");
                }
                hostTargets[r * classes + (int) c] = 1f;
            }
            targetSite.uploadAsync(hostTargets, 0, targets, batch * classes);
        } else if (t.rank() == 2 && t.dim(0) == batch && t.dim(1) == classes && !t.transposed() && t.ld() == classes) {
            targetSite.uploadAsync(t.data(), t.offset(), targets, batch * classes);
        } else {
            throw new IllegalArgumentException("loss " + lossName + ": target shape " + Arrays.toString(t.shape())
                    + " does not fit a batch of " + batch + " with " + classes + " classes (give [" + batch + "] class indices or ["
                    + batch + ", " + classes + "] rows)");
        }
    }

    private void useBuffersOf(int slot) {
        bufferSlot = slot;
        input = inputBuffers.get(slot);
        targets = targetBuffers.get(slot);
    }

    private void allocateBatchBuffers(int batch) {
        if (submitted != taken) {
            throw new IllegalStateException("a batch of " + batch + " rows needs larger buffers than " + maxBatch + " rows while "
                    + (submitted - taken) + " steps are in flight: take their losses first");
        }
        closeGraphs();  // they point at the buffers about to be freed
        if (!inputBuffers.isEmpty()) freeBatchBuffers();
        maxBatch = batch;
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            inputBuffers.add(device.allocate(batch * inputs));
            targetBuffers.add(device.allocate(batch * classes));
        }
        useBuffersOf(bufferSlot);
        probs = device.allocate(batch * classes);
        rowLoss = device.allocate(batch);
        dlogits = device.allocate(batch * classes);
        hostTargets = new float[batch * classes];
        hostRowLoss = new float[batch];
        for (Stage s : stages) {
            s.output = device.allocate(batch * s.out);
            s.inputGradient = s.index == 0 ? null : device.allocate(batch * s.in);
        }
    }

    private void freeBatchBuffers() {
        for (B b : inputBuffers) device.free(b);
        for (B b : targetBuffers) device.free(b);
        inputBuffers.clear();
        targetBuffers.clear();
        for (B b : List.of(probs, rowLoss, dlogits)) device.free(b);
        for (Stage s : stages) {
            device.free(s.output);
            if (s.inputGradient != null) device.free(s.inputGradient);
        }
    }

    /**
     * Writes the device's weights and biases into the network's parameters, the last gradients of the
     * unfrozen ones into their gradients, and the velocity into the optimizer's (with momentum).
     */
    public void copyToNetwork() {
        requireOpen();
        requireNothingInFlight("copyToNetwork()");
        for (Stage s : stages) s.copyToNetwork();
    }

    /** Sends the network's weights and the optimizer's velocity (zeros without momentum) up to the device. */
    public void copyFromNetwork() {
        requireOpen();
        requireNothingInFlight("copyFromNetwork()");
        for (Stage s : stages) s.copyFromNetwork();
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

    private void closeAll() {
        closeGraphs();
        freeBatchBuffers();
        for (Stage s : stages) s.freeParameters();
        for (DeviceKernels<B> s : sites) s.close();
        closed = true;
    }

    // ---------------------------------------------------------------- the layers

    /** A layer's device side: its output and the gradient of its input, [maxBatch, width] each. */
    private abstract class Stage {
        final int index;
        final int in;
        final int out;
        B output;
        B inputGradient;  // ∂E/∂(input of this layer); null for the first layer

        Stage(int index) {
            this.index = index;
            this.in = network.inputFeatures(index);
            this.out = network.inputFeatures(index + 1);
        }

        abstract void forward(B x, int batch);

        /** Writes the parameter gradients from g = ∂E/∂output and, when asked, inputGradient. */
        abstract void backward(B x, B g, int batch, boolean inputGradientNeeded);

        boolean trainable() { return false; }

        void update(float lr, float mu, Regularization reg) { }

        void copyToNetwork() { }

        void copyFromNetwork() { }

        void freeParameters() { }
    }

    private final class ActivationStage extends Stage {
        final DeviceKernels.Activation f;
        final DeviceKernels<B> site = site();

        ActivationStage(int index, Layer layer, DeviceKernels.Activation f) {
            super(index);
            this.f = f;
        }

        @Override
        void forward(B x, int batch) {
            // y = f(h)
            site.activationForward(f, batch * out, x, output);
        }

        @Override
        void backward(B x, B g, int batch, boolean inputGradientNeeded) {
            // ∂E/∂h = ∂E/∂y · f'(h), f' from the output y
            if (inputGradientNeeded) site.activationBackward(f, batch * out, output, g, inputGradient);
        }
    }

    /** A parameter on the device: value, gradient, velocity. */
    private final class DeviceParameter {
        final Parameter p;
        final B value, gradient, velocity;
        final DeviceKernels<B> updateSite = site();

        DeviceParameter(Parameter p) {
            this.p = p;
            this.value = device.allocate(p.size());
            this.gradient = device.allocate(p.size());
            this.velocity = device.allocate(p.size());
        }

        void update(float lr, float mu, Regularization reg) {
            if (p.frozen()) return;
            boolean decays = reg.appliesTo(p);
            // g ← g + λ₂·w + λ₁·sign(w), v ← μ·v + g, w ← w − lr·v
            updateSite.sgdMomentum(p.size(), lr, mu, decays ? reg.l1() : 0f, decays ? reg.l2() : 0f, value, gradient, velocity);
        }

        void copyToNetwork() {
            device.download(value, p.value().data(), p.size());
            if (!p.frozen()) device.download(gradient, p.gradient().data(), p.size());
            Tensor v = sgd.velocity(p.name());
            if (v != null) device.download(velocity, v.data(), p.size());
        }

        void copyFromNetwork() {
            device.upload(p.value().data(), 0, value, p.size());
            Tensor v = sgd.velocity(p.name());
            if (v != null) {
                device.upload(v.data(), 0, velocity, p.size());
            } else {
                device.zero(velocity, p.size());
            }
        }

        void free() {
            device.free(value);
            device.free(gradient);
            device.free(velocity);
        }
    }

    private final class DenseStage extends Stage {
        final DeviceParameter weight;  // W [out][in]
        final DeviceParameter bias;    // b [out], or null
        final DeviceKernels<B> forwardSite = site(), weightGradientSite = site(), inputGradientSite = site();

        DenseStage(int index, Dense dense) {
            super(index);
            this.weight = new DeviceParameter(dense.weight());
            this.bias = dense.bias() == null ? null : new DeviceParameter(dense.bias());
        }

        @Override
        void forward(B x, int batch) {
            // h = x·Wᵀ
            forwardSite.sgemm(false, true, batch, out, in, 1f, x, in, weight.value, in, 0f, output, out);
            // h += b in every row
            if (bias != null) forwardSite.biasAdd(batch, out, output, bias.value);
        }

        @Override
        void backward(B x, B g, int batch, boolean inputGradientNeeded) {
            if (!weight.p.frozen()) {
                // ∂E/∂W = (∂E/∂h)ᵀ·x, summed over the batch
                weightGradientSite.sgemm(true, false, out, in, batch, 1f, g, out, x, in, 0f, weight.gradient, in);
            }
            if (bias != null && !bias.p.frozen()) {
                // ∂E/∂b = Σ_rows ∂E/∂h
                weightGradientSite.columnSums(batch, out, g, bias.gradient);
            }
            if (inputGradientNeeded) {
                // ∂E/∂x = ∂E/∂h·W
                inputGradientSite.sgemm(false, false, batch, in, out, 1f, g, out, weight.value, in, 0f, inputGradient, in);
            }
        }

        @Override
        boolean trainable() {
            return !weight.p.frozen() || (bias != null && !bias.p.frozen());
        }

        @Override
        void update(float lr, float mu, Regularization reg) {
            weight.update(lr, mu, reg);
            if (bias != null) bias.update(lr, mu, reg);
        }

        @Override
        void copyToNetwork() {
            weight.copyToNetwork();
            if (bias != null) bias.copyToNetwork();
        }

        @Override
        void copyFromNetwork() {
            weight.copyFromNetwork();
            if (bias != null) bias.copyFromNetwork();
        }

        @Override
        void freeParameters() {
            weight.free();
            if (bias != null) bias.free();
        }
    }
}
