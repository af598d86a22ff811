package cuda;

import backprop.Layer;
import backprop.Network;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.optim.Regularization;
import backprop.optim.Sgd;

/**
 * One layer of {@link GpuMlp} on the device: its forward and backward kernels, the buffers of a batch
 * ([maxBatch, width] each) and, for a layer with parameters, their values, gradients and velocities. The
 * mirror runs the stages in order as {@link Network#forward} and {@link Network#backwardParameters} run the
 * layers. Each kind is a file of its own ({@link GpuDenseStage}, {@link GpuFunctionStage}, {@link GpuDropoutStage},
 * {@link GpuBatchNormStage}); {@link #of} picks it, {@link #unsupported} says which layers have none.
 *
 * @param <B> the device's buffer type
 */
abstract class GpuStage<B> {
    /** What a stage needs from its mirror: the device, call sites of its own, the optimizer. */
    interface Context<B> {
        /** The device, for the copies between host and device. */
        DeviceKernels<B> device();

        /**
         * A buffer of the device that the mirror frees at its close (or when its construction fails), whether or not
         * the stage that asked for it was ever finished: a stage frees only what it replaces ({@link #free}).
         */
        B allocate(int floats);

        /** Frees a buffer of {@link #allocate} now. */
        void free(B buffer);

        /** A new call site (kernels that keep their arguments between steps; see {@link DeviceKernels}). */
        DeviceKernels<B> newSite();

        Sgd sgd();

        /** The dropout stream positions of the step being queued ({@link DropoutStream}). */
        B dropoutStreams();
    }

    final Context<B> ctx;
    final int index;
    final int in;
    final int out;
    B output;         // [maxBatch, out]
    B inputGradient;  // ∂E/∂(input of this layer) [maxBatch, in]; null where nothing ever writes it

    GpuStage(Context<B> ctx, Network network, int index) {
        this.ctx = ctx;
        this.index = index;
        this.in = network.inputFeatures(index);
        this.out = network.inputFeatures(index + 1);
    }

    /**
     * The stage of layer {@code index} of {@code network}, or null when the layer has no GPU version.
     * {@code dropoutIndex} is the position of its mask stream if it is a dropout layer.
     */
    static <B> GpuStage<B> of(Context<B> ctx, Network network, int index, int dropoutIndex) {
        Layer l = network.layers().get(index);
        if (l instanceof Dense d) return new GpuDenseStage<>(ctx, network, index, d);
        if (l instanceof Dropout d) return new GpuDropoutStage<>(ctx, network, index, d, dropoutIndex);
        if (l instanceof BatchNorm b) return new GpuBatchNormStage<>(ctx, network, index, b);
        GpuFunctionStage.Function f = GpuFunctionStage.functionOf(l);
        return f == null ? null : new GpuFunctionStage<>(ctx, network, index, f);
    }

    /** Null when {@code l} has a GPU version, else why not ("layer softmax3 has no GPU version"). */
    static String unsupported(Layer l) {
        if (l instanceof Dense || l instanceof Dropout || l instanceof BatchNorm || GpuFunctionStage.functionOf(l) != null) return null;
        return "layer " + l.name() + " has no GPU version";
    }

    /** Runs the layer on x [batch, in]; returns the buffer that holds its output ({@link #output}, or x for an identity). */
    abstract B forward(B x, int batch, boolean training);

    /**
     * From g = ∂E/∂output of the last training forward on x: writes the parameter gradients and, when asked, ∂E/∂x;
     * returns the buffer that holds ∂E/∂x (null when not asked).
     */
    abstract B backward(B x, B g, int batch, boolean inputGradientNeeded);

    /** True when the layer has an unfrozen parameter (the backward pass goes as far as the first such layer). */
    boolean trainable() { return false; }

    /** The smallest batch a training forward takes (batch norm: 2, for a batch variance). */
    int minTrainingBatch() { return 1; }

    /** Whether the backward kernel writes ∂E/∂x even when nobody reads it (so the first layer needs the buffer too). */
    boolean alwaysWritesInputGradient() { return false; }

    /** Before a training step on {@code batch} rows is queued: the host side of the stage's per-step state. */
    void beforeStep(int batch, float[] dropoutStreams) { }

    void update(float lr, float mu, Regularization reg) { }

    void copyToNetwork() { }

    void copyFromNetwork() { }

    /** The buffers of a batch of up to {@code maxBatch} rows (after {@link #freeBatchBuffers} of the old ones). */
    void allocateBatchBuffers(int maxBatch) {
        output = ctx.allocate(maxBatch * out);
        inputGradient = index == 0 && !alwaysWritesInputGradient() ? null : ctx.allocate(maxBatch * in);
    }

    /** Frees the buffers of a batch before larger ones are allocated (the mirror's close frees everything else). */
    void freeBatchBuffers() {
        if (output != null) ctx.free(output);
        if (inputGradient != null) ctx.free(inputGradient);
        output = inputGradient = null;
    }
}
