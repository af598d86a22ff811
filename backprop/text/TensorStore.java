package backprop.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import tensor.Tensor;

/**
 * Where a checkpoint's named tensors and string metadata are written and read back. The
 * sentiment model goes through this interface only; {@link SafeTensorsStore} is the one
 * implementation (the safetensors format).
 */
public interface TensorStore {
    /** Tensors by name (in map order) and string metadata, as a file read back. */
    record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Writes {@code tensors} and {@code metadata} to {@code file}, replacing it atomically. */
    void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException;

    /** Reads every tensor and the metadata of {@code file}; a malformed file throws naming the file and what is wrong. */
    Contents read(Path file) throws IOException;

    /** The safetensors store. */
    static TensorStore safetensors() {
        return new SafeTensorsStore();
    }
}
