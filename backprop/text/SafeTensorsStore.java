package backprop.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import tensor.Tensor;
import tensor.io.SafeTensors;

/**
 * {@link TensorStore} in the safetensors format, through the project's reader and writer
 * {@link SafeTensors}: atomic writes, and reads that check the header, every tensor's byte range
 * and shape against the file before allocating (errors name the file, the tensor and the offset).
 */
public final class SafeTensorsStore implements TensorStore {
    @Override
    public void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        SafeTensors.write(file, tensors, metadata);
    }

    @Override
    public Contents read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        return new Contents(c.tensors(), c.metadata());
    }
}
