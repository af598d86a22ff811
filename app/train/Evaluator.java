package app.train;

import app.metrics.ConfusionMatrix;
import app.metrics.Metrics;
import backprop.BatchBuffer;
import backprop.Loss;
import backprop.Network;
import data.Dataset;
import data.Loader;
import data.Normalization;
import tensor.Tensor;

/**
 * Runs a network in evaluation mode over a whole dataset, in batches, and collects the mean loss,
 * the predictions, the confusion matrix and, when asked, each example's loss and probabilities.
 * Buffers are made once per evaluator, so evaluating after every epoch allocates little.
 */
public final class Evaluator {
    /** Rows per forward pass: large enough for the GEMM to be efficient, small enough to stay in cache-ish memory. */
    public static final int BATCH = 500;

    private final ModelSpec spec;
    private final Network net;
    private final Loss loss;
    private final Dataset data;
    private final Loader loader;
    private final BatchBuffer labels = new BatchBuffer();

    /** The result of one pass; the per-example arrays are null unless asked for. */
    public record Evaluation(double loss, double accuracy, ConfusionMatrix confusion, int[] predicted,
                             float[] exampleLoss, float[] predictedProbability, float[] trueProbability) {}

    public Evaluator(ModelSpec spec, Network net, Loss loss, Dataset data, Normalization normalization) {
        this.spec = spec;
        this.net = net;
        this.loss = loss;
        this.data = data;
        this.loader = new Loader(data, BATCH, false, 0L, normalization, null);
    }

    public Dataset dataset() { return data; }

    /** Mean loss, accuracy and confusion over the dataset; {@code perExample} adds each example's loss and probabilities. */
    public Evaluation run(boolean perExample) {
        int n = data.size();
        int k = data.numClasses();
        ConfusionMatrix confusion = new ConfusionMatrix(k);
        int[] predicted = new int[n];
        float[] exampleLoss = perExample ? new float[n] : null;
        float[] pPredicted = perExample ? new float[n] : null;
        float[] pTrue = perExample ? new float[n] : null;
        double[] p = new double[k];
        double sum = 0;
        loader.startEpoch(0);
        while (loader.next()) {
            int rows = loader.size();
            int[] y = loader.y();
            int[] idx = loader.indices();
            Tensor out = net.forward(loader.x(), false);
            Tensor target = target(loader, rows);
            // the loss is a mean over the batch: weigh it by the rows to get the mean over the set
            sum += loss.forward(out, target) * rows;
            int[] pred = Metrics.argmax(out, new int[rows]);
            for (int r = 0; r < rows; r++) {
                predicted[idx[r]] = pred[r];
                confusion.add(y[r], pred[r]);
            }
            if (perExample) {
                for (int r = 0; r < rows; r++) {
                    // the loss of row r alone: the same loss on a batch of one (a label [1] or a one-hot row [1, k])
                    exampleLoss[idx[r]] = (float) loss.forward(out.rows(r, r + 1), target.rows(r, r + 1));
                    spec.probabilities(out, r, p);
                    pPredicted[idx[r]] = (float) p[pred[r]];
                    pTrue[idx[r]] = (float) p[y[r]];
                }
            }
        }
        return new Evaluation(sum / n, confusion.accuracy(), confusion, predicted, exampleLoss, pPredicted, pTrue);
    }

    /** Every example's class probabilities, example i's at {@code [i·classes, (i+1)·classes)}. */
    public float[] classProbabilities() {
        int k = data.numClasses();
        float[] all = new float[data.size() * k];
        double[] p = new double[k];
        loader.startEpoch(0);
        while (loader.next()) {
            int[] idx = loader.indices();
            Tensor out = net.forward(loader.x(), false);
            for (int r = 0; r < loader.size(); r++) {
                spec.probabilities(out, r, p);
                for (int j = 0; j < k; j++) all[idx[r] * k + j] = (float) p[j];
            }
        }
        return all;
    }

    /** Class indices as floats [rows] for the losses that take them, else the one-hot rows [rows, classes]. */
    private Tensor target(Loader l, int rows) {
        if (!spec.indexTargets()) return l.oneHot();
        return Training.labelsAsFloats(l.y(), rows, labels);
    }

    /** A batch: normalized inputs [n, d], the loss's targets, and the labels. */
    public record Batch(Tensor x, Tensor target, int[] labels) {}

    /** The first {@code n} examples of {@code data} (in dataset order), normalized, with targets for {@code spec}'s loss: copies. */
    public static Batch firstExamples(ModelSpec spec, Dataset data, Normalization normalization, int n) {
        if (n < 1 || n > data.size()) throw new IllegalArgumentException("asked for " + n + " examples of " + data.name() + ", which has " + data.size());
        Loader l = new Loader(data, n, false, 0L, normalization, null);
        l.startEpoch(0);
        l.next();
        Tensor target = spec.indexTargets() ? Training.labelsAsFloats(l.y(), n, new BatchBuffer()).copy() : l.oneHot().copy();
        return new Batch(l.x().copy(), target, l.y().clone());
    }

    /** The class probabilities of {@code x} (already normalized) into [rows, classes]. */
    public static Tensor probabilities(ModelSpec spec, Network net, Tensor x) {
        Tensor out = net.forward(x, false);
        Tensor probs = Tensor.zeros(out.dim(0), out.dim(1));
        double[] p = new double[out.dim(1)];
        for (int r = 0; r < out.dim(0); r++) {
            spec.probabilities(out, r, p);
            for (int j = 0; j < p.length; j++) probs.set((float) p[j], r, j);
        }
        return probs;
    }
}
