package app.serve;

import backprop.BatchBuffer;
import backprop.Layer;
import backprop.Network;
import backprop.layers.Dense;
import java.util.List;
import kernels.Sgemm;
import tensor.Tensor;

/**
 * {@code Network.forward(x, false)} for serving, bit for bit, without transposing the weights again
 * for every batch. A Dense layer computes h = x·Wᵀ + b with W stored [out][in]; the blocked GEMM
 * packs op(B) = Wᵀ into micro-panels on every call, and from a transposed B that packing is a
 * scalar gather of the whole weight matrix (profiled: a third of the batcher's time for the
 * 784-256-128-10 model at ~10 rows a batch). Here Wᵀ is stored once, [in][out], so the packing is a
 * row copy: the packed panels hold the same floats in the same places, the micro-kernel does the
 * same operations, and the result is the same bits (ServingForwardTest checks it). Other layers run
 * their own forward. One thread calls {@link #forward}: the layers' buffers are not shared.
 *
 * <p>Costs one more copy of the dense weights (0.9 MB for 784-256-128-10).
 *
 * <p>It takes batches of at least {@link #MIN_ROWS} rows ({@link #minRows}; the batcher pads shorter ones): kernels.Sgemm
 * sends products of one or two rows to a direct dot-product path whose summation order differs from the blocked
 * kernel's, while the blocked kernel computes each output element the same way for any row count. With the padding,
 * every row's answer is bitwise the same whatever batch it shares (ServerTest checks it).
 */
final class ServingForward implements ModelForward {
    private final Layer[] layers;
    private final float[][] transposed; // Wᵀ [in][out] of layer i when it is Dense, else null
    private final RowViews[] outputs;
    private final int inputs;
    static final int MIN_ROWS = 3; // kernels.Sgemm.SMALL_MAX_ROWS + 1

    ServingForward(Network network) {
        List<Layer> list = network.layers();
        layers = list.toArray(new Layer[0]);
        transposed = new float[layers.length][];
        outputs = new RowViews[layers.length];
        inputs = network.inputFeatures();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof Dense d) {
                int in = d.inFeatures(), out = d.outFeatures();
                float[] w = d.weight().value().data();
                float[] t = new float[in * out];
                for (int o = 0; o < out; o++) for (int j = 0; j < in; j++) t[j * out + o] = w[o * in + j];
                transposed[i] = t;
                outputs[i] = new RowViews(out);
            }
        }
    }

    @Override
    public int minRows() {
        return MIN_ROWS;
    }

    /** The network's output for the rows of {@code x} [rows, inputs], as {@code Network.forward(x, false)}. */
    @Override
    public Tensor forward(Tensor x) {
        BatchBuffer.requireBatch(x, "serving input", inputs);
        for (int i = 0; i < layers.length; i++) {
            if (transposed[i] == null) {
                x = layers[i].forward(x, false);
                continue;
            }
            Dense d = (Dense) layers[i];
            int rows = x.dim(0), out = d.outFeatures();
            Tensor h = outputs[i].get(rows);
            float[] hd = h.data();
            boolean bias = d.bias() != null;
            if (bias) {
                float[] b = d.bias().value().data();
                for (int r = 0; r < rows; r++) System.arraycopy(b, 0, hd, r * out, out);
            }
            // h = x·Wᵀ (+ b), as Dense.forward computes it, with op(B) read from the stored Wᵀ
            Sgemm.sgemm(false, false, rows, out, d.inFeatures(), 1f, x.data(), x.offset(), x.ld(),
                    transposed[i], 0, out, bias ? 1f : 0f, hd, 0, out);
            x = h;
        }
        return x;
    }
}
