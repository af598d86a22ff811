package app.train;

import backprop.Loss;
import backprop.Network;
import data.ImageShape;
import data.MemoryLimit;
import data.Normalization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A trained model read back from a checkpoint, ready to evaluate or predict: the network with its
 * weights, its loss and output head, the input normalization it was trained with, and the class
 * names. No training data is needed to load it.
 */
public record SavedModel(Checkpoint checkpoint, TrainConfig config, ModelSpec spec, Network network, Loss loss,
                         Normalization normalization, List<String> classes, Optional<ImageShape> imageShape) {

    public static SavedModel load(Path file) throws IOException {
        Checkpoint ck = Checkpoint.read(file);
        if (!ck.isTrainingCheckpoint()) {
            throw new IllegalArgumentException(file + " is not a nabla training checkpoint (its metadata has no format '"
                    + Checkpoint.FORMAT + "'; it has " + ck.metadata().keySet() + ")");
        }
        TrainConfig config = ck.config();
        ModelSpec spec;
        try {
            spec = new ModelSpec(ModelSpec.parseSizes(ck.meta("model")), config.activation(), config.loss(), config.dropout(), config.batchNorm());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        try {
            MemoryBudget.forInference(spec).check();
        } catch (MemoryLimit.TooLarge e) {
            throw new MemoryLimit.TooLarge(file + ": " + e.getMessage());
        }
        Finite.requireModel(file.toString(), ck.tensors());
        Network net = spec.build();
        ck.loadModel(net, spec.modelString());
        Normalization norm = ck.normalization();
        if (norm.dim() != spec.inputs()) {
            throw new IllegalArgumentException(file + ": the normalization has " + norm.dim() + " features but the model takes " + spec.inputs());
        }
        List<String> classes = ck.classes();
        if (classes.size() != spec.outputs()) {
            throw new IllegalArgumentException(file + ": " + classes.size() + " class names but the model has " + spec.outputs() + " outputs");
        }
        Optional<ImageShape> shape = Optional.empty();
        String s = ck.metadata().get("image_shape");
        if (s != null) {
            String[] p = s.split("x");
            try {
                shape = Optional.of(new ImageShape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + ": metadata image_shape '" + s + "' is not CxHxW");
            }
        }
        return new SavedModel(ck, config, spec, net, spec.newLoss(), norm, classes, shape);
    }

    /** An evaluator of this model on {@code data} (its rows raw, as the dataset loaders give them). */
    public Evaluator evaluator(data.Dataset data) {
        if (data.dim() != spec.inputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.dim() + " features but the model " + spec.modelString()
                    + " takes " + spec.inputs());
        }
        if (data.numClasses() != spec.outputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.numClasses() + " classes but the model " + spec.modelString()
                    + " has " + spec.outputs() + " outputs");
        }
        return new Evaluator(spec, network, loss, data, normalization);
    }
}
