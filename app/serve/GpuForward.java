package app.serve;

import backprop.BatchBuffer;
import backprop.Network;
import cuda.DeviceKernels;
import cuda.GpuMlp;
import tensor.Tensor;

/**
 * A served model's forward pass on the GPU: an inference mirror of its network ({@link GpuMlp#forInference}: the
 * weights and batch norm statistics resident on the device, the evaluation forward captured once as a graph for
 * {@code batch} rows) that runs each micro-batch in pieces of at most {@code batch} rows, each piece up and its
 * outputs down through page-locked staging buffers. The staging buffers get their final size, and the graph its
 * first launch (which uploads it to the device), while the mirror is built, so no request pays for either; nothing
 * is allocated per batch once the batch's row count has been seen (its output view).
 *
 * <p>Every piece runs the same graph, whatever its row count, and each row's output depends on that row alone,
 * so a row's answer does not depend on the batch it shares (as on the CPU, where the batcher pads to 3 rows for
 * it). Against the CPU's answer it differs by float rounding: the GPU's products sum in another order and CUDA's
 * expf/tanhf are within 2 ulp of the exact value, the CPU's activations within 4 (ForwardBound, a test class, derives
 * the bound).
 *
 * @param <B> the device's buffer type (the GPU's, or the test twin's float[])
 */
final class GpuForward<B> implements ModelForward {
    private final GpuMlp<B> mlp;
    private final int batch;
    private final int inputs;
    private final int outputs;
    private final RowViews out;

    GpuForward(Network network, int batch, DeviceKernels<B> device) {
        this.mlp = GpuMlp.forInference(network, batch, device);
        this.batch = batch;
        this.inputs = network.inputFeatures();
        this.outputs = network.outputFeatures();
        this.out = new RowViews(outputs);
    }

    @Override
    public Tensor forward(Tensor x) {
        BatchBuffer.requireBatch(x, "serving input", inputs);
        if (x.ld() != inputs) throw new IllegalArgumentException("serving input: rows " + x.ld() + " floats apart, expected " + inputs);
        int rows = x.dim(0);
        Tensor y = out.get(rows);
        // pieces of at most `batch` rows: row r0.. of x to row r0.. of y
        for (int r0 = 0; r0 < rows; r0 += batch) {
            mlp.infer(x.data(), x.offset() + r0 * inputs, Math.min(batch, rows - r0), y.data(), r0 * outputs);
        }
        return y;
    }

    @Override
    public void close() {
        mlp.close();
    }
}
