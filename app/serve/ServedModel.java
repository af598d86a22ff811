package app.serve;

import app.train.SavedModel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A model the server answers for under {@code name}: the checkpoint it came from, its batcher, and
 * the bytes its answers repeat (its name, each class label as a JSON string), encoded once.
 */
final class ServedModel {
    private final String name;
    private final String path;
    private final SavedModel model;
    private final Batcher batcher;
    private final byte[] nameBytes;
    private final byte[][] labelJson;

    ServedModel(String name, String path, SavedModel model, Batcher batcher) {
        this.name = name;
        this.path = path;
        this.model = model;
        this.batcher = batcher;
        nameBytes = name.getBytes(StandardCharsets.UTF_8);
        labelJson = new byte[model.classes().size()][];
        for (int c = 0; c < labelJson.length; c++) {
            StringBuilder sb = new StringBuilder();
            JsonOut.string(sb, model.classes().get(c));
            labelJson[c] = sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    String name() { return name; }

    String path() { return path; }

    SavedModel model() { return model; }

    Batcher batcher() { return batcher; }

    /** The name as UTF-8 (model names are ASCII: letters, digits, '.', '_', '-'). */
    byte[] nameBytes() { return nameBytes; }

    /** Class {@code c}'s label as a JSON string, quotes included. */
    byte[] labelJson(int c) { return labelJson[c]; }

    int inputs() { return model.spec().inputs(); }

    int classes() { return model.spec().outputs(); }

    List<String> labels() { return model.classes(); }

    /** The model's input image size, "CxHxW", or null when it was not trained on images. */
    String imageShape() { return model.imageShape().map(Object::toString).orElse(null); }
}
