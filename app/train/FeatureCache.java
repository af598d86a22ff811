package app.train;

import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import data.Dataset;
import data.Normalization;
import java.util.List;
import tensor.Tensor;

/**
 * {@code --cache-features}: a frozen body computes the same outputs every epoch, so it runs once.
 * The body is every layer before the first trainable Linear layer; it may hold no Dropout (its
 * masks change every step) and no BatchNorm (training mode uses each batch's statistics). The
 * training set goes through it once, in evaluation mode, into a feature table, and the head (the
 * same layer objects, so the same parameters, names and optimizer state) trains on that table.
 */
final class FeatureCache {
    /** The head network over the cached features, and the features with the training set's labels. */
    record Cached(Network head, Dataset features) {}

    private FeatureCache() {}

    /** The index of the first layer after the frozen body; a model that cannot be cached is said why. */
    static int bodyEnd(Network net) {
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof Dense d && !d.parameters().stream().allMatch(Parameter::frozen)) {
                if (i == 0) throw new IllegalArgumentException("--cache-features needs a frozen body: Linear layer 1 trains (give --freeze 1, ...)");
                return i;
            }
            if (l instanceof Dropout) throw new IllegalArgumentException("--cache-features: the frozen body has dropout (" + l.name()
                    + "), whose masks change every step; give --dropout 0 or train without the cache");
            if (l instanceof BatchNorm) throw new IllegalArgumentException("--cache-features: the frozen body has batch norm (" + l.name()
                    + "), which uses each batch's statistics in training; train without the cache");
            if (!(l instanceof Dense) && !l.parameters().isEmpty() && !l.parameters().stream().allMatch(Parameter::frozen)) {
                return i;
            }
        }
        throw new IllegalArgumentException("--cache-features: every Linear layer is frozen, so there is no head to train");
    }

    /** Runs the body over the normalized training set once and builds the head over its outputs. */
    static Cached build(Network net, Dataset train, Normalization normalization) {
        int end = bodyEnd(net);
        List<Layer> layers = net.layers();
        int width = net.inputFeatures(end);
        Tensor out = Tensor.zeros(train.size(), width);
        int batch = Evaluator.BATCH, d = train.dim();
        Tensor x = Tensor.zeros(Math.min(batch, train.size()), d);
        for (int from = 0; from < train.size(); from += batch) {
            int rows = Math.min(batch, train.size() - from);
            Tensor xb = rows == x.dim(0) ? x : x.rows(0, rows);
            System.arraycopy(train.features().data(), train.features().offset() + from * d, xb.data(), 0, rows * d);
            for (int r = 0; r < rows; r++) normalization.apply(xb.data(), r * d);
            Tensor h = xb;
            for (int i = 0; i < end; i++) h = layers.get(i).forward(h, false);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(h.data(), h.offset() + r * h.ld(), out.data(), (from + r) * width, width);
            }
        }
        Network head = new Network(width);
        for (int i = end; i < layers.size(); i++) head.add(layers.get(i).name(), layers.get(i));
        Dataset features = new Dataset(train.name() + " through the frozen body", out, train.labels(), train.numClasses(), null,
                train.classNames());
        return new Cached(head, features);
    }
}
