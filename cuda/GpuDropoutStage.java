package cuda;

import backprop.Network;
import backprop.layers.Dropout;

/**
 * A {@link Dropout} layer on the device: in training mask = [u ≥ p]/(1 − p), y = x·mask and
 * ∂E/∂x = ∂E/∂y·mask ({@code dropout_forward}, {@code dropout_backward}); in evaluation, and at p = 0, the
 * identity (no kernel, as the CPU layer returns its input).
 *
 * <p>The mask stream: u_i is draw {@code offset + i} of {@code new SplittableRandom(seed)}, the stream of the
 * CPU layer after {@code layer.reseed(seed)} and {@code offset} draws. The host keeps (seed, offset): {@link #reseed}
 * sets the seed and offset 0, each training step writes them into its slot's stream buffer ({@link DropoutStream})
 * and moves the offset on by the batch's elements, as the CPU layer draws one value an element. So a mirror
 * reseeded as the CPU layer is draws the CPU's masks, bit for bit.
 */
final class GpuDropoutStage<B> extends GpuStage<B> {
    private final Dropout layer;
    private final float p;
    private final int streamIndex;
    private final DeviceKernels<B> site;
    private B mask;           // [maxBatch, out]
    private long seed;
    private long offset;      // draws taken since the seed
    private boolean seeded;

    GpuDropoutStage(Context<B> ctx, Network network, int index, Dropout layer, int streamIndex) {
        super(ctx, network, index);
        this.layer = layer;
        this.p = layer.rate();
        this.streamIndex = streamIndex;
        this.site = ctx.newSite();
    }

    Dropout layer() {
        return layer;
    }

    /** The CPU layer's {@code reseed(seed)}: the next training step draws from the stream's start. */
    void reseed(long seed) {
        this.seed = seed;
        this.offset = 0;
        this.seeded = true;
    }

    @Override
    void beforeStep(int batch, float[] dropoutStreams) {
        if (p == 0f) return;  // the CPU layer draws nothing either
        if (!seeded) {
            throw new IllegalStateException("dropout layer " + layer.name() + " has no mask seed on the GPU: call reseedDropout(layer, seed) "
                    + "with the seed the CPU layer was reseeded with (app.train.Training does at each epoch)");
        }
        DropoutStream.write(seed, offset, dropoutStreams, streamIndex);
        offset += (long) batch * out;
    }

    @Override
    B forward(B x, int batch, boolean training) {
        if (!training || p == 0f) return x;  // the identity
        // mask = [u ≥ p]/(1 − p), y = x·mask
        site.dropoutForward(batch * out, p, ctx.dropoutStreams(), streamIndex, x, mask, output);
        return output;
    }

    @Override
    B backward(B x, B g, int batch, boolean inputGradientNeeded) {
        if (!inputGradientNeeded) return null;
        if (p == 0f) return g;
        // ∂E/∂x = ∂E/∂y·mask
        site.dropoutBackward(batch * out, mask, g, inputGradient);
        return inputGradient;
    }

    @Override
    void allocateBatchBuffers(int maxBatch) {
        super.allocateBatchBuffers(maxBatch);
        mask = ctx.allocate(maxBatch * out);
    }

    @Override
    void freeBatchBuffers() {
        super.freeBatchBuffers();
        if (mask != null) ctx.free(mask);
        mask = null;
    }
}
