package app.clean;

import app.train.TrainConfig;
import app.train.Training;
import backprop.Shuffle;
import data.Dataset;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Out-of-sample class probabilities by k-fold cross-validation: the examples are dealt into k
 * folds (stratified: each class's examples shuffled with the seed, then dealt in turn), and each
 * fold is predicted by a model trained from scratch on the other k − 1. A model that memorized a
 * wrong label never sees the example it predicts, so the wrong label still shows.
 */
public final class CrossValidated {
    private CrossValidated() {}

    /** The fold of every example, 0..k-1, stratified by label. */
    static int[] folds(int[] labels, int classes, int k, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] fold = new int[labels.length];
        int[] members = new int[labels.length];
        int next = 0;
        for (int c = 0; c < classes; c++) {
            int n = 0;
            for (int i = 0; i < labels.length; i++) if (labels[i] == c) members[n++] = i;
            // shuffle the class, then deal it in turn
            Shuffle.fisherYates(members, n, rng);
            for (int i = 0; i < n; i++) fold[members[i]] = next++ % k;
        }
        return fold;
    }

    /**
     * Probabilities [n·classes] of every example of {@code data}, each from the model of the fold
     * that did not train on it; {@code config} says how each fold model trains. {@code foldDone}
     * hears of each finished fold.
     */
    public static float[] probabilities(Dataset data, TrainConfig config, int k, long seed, IntConsumer foldDone) {
        if (k < 2 || k > data.size()) throw new IllegalArgumentException("--folds must be in 2.." + data.size() + ", got " + k);
        int n = data.size(), classes = data.numClasses();
        int[] fold = folds(data.labels(), classes, k, seed);
        float[] all = new float[n * classes];
        for (int f = 0; f < k; f++) {
            int held = f;
            int[] in = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != held).toArray();
            int[] out = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] == held).toArray();
            Dataset train = data.subset(data.name() + " without fold " + (f + 1), in);
            Dataset heldOut = data.subset(data.name() + " fold " + (f + 1), out);
            Training run = Training.start(config, new Dataset.Split(train, heldOut));
            while (!run.finished()) run.trainEpoch();
            float[] p = run.evaluator(heldOut).classProbabilities();
            for (int r = 0; r < out.length; r++) System.arraycopy(p, r * classes, all, out[r] * classes, classes);
            foldDone.accept(f + 1);
        }
        return all;
    }
}
