package app.serve;

import app.train.SavedModel;
import java.util.List;

/** A model the server answers for under {@code name}: the checkpoint it came from, and its batcher. */
record ServedModel(String name, String path, SavedModel model, Batcher batcher) {
    int inputs() { return model.spec().inputs(); }

    int classes() { return model.spec().outputs(); }

    List<String> labels() { return model.classes(); }

    /** The model's input image size, "CxHxW", or null when it was not trained on images. */
    String imageShape() { return model.imageShape().map(Object::toString).orElse(null); }
}
