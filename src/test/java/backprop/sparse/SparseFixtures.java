package backprop.sparse;

import backprop.Network;
import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.Sigmoid;
import java.util.SplittableRandom;
import tensor.Tensor;

/** Seeded sparse batches and twin sparse/dense networks with the same weights, for the tests. */
final class SparseFixtures {
    private SparseFixtures() {}

    /**
     * {@code rows} rows of 3..maxWords distinct words from the first {@code usedWords} of {@code cols}
     * (so the words above {@code usedWords} are never present), values 1 (binary) or 1..3 (counts).
     */
    static SparseBatch batch(long seed, int rows, int cols, int usedWords, int maxWords, boolean binary) {
        SplittableRandom rng = new SplittableRandom(seed);
        SparseBatch b = new SparseBatch(cols, binary);
        int[] idx = new int[usedWords];
        float[] vals = new float[usedWords];
        for (int r = 0; r < rows; r++) {
            int n = 0;
            int want = 3 + rng.nextInt(maxWords - 2);
            boolean[] taken = new boolean[usedWords];
            while (n < want) {
                int j = rng.nextInt(usedWords);
                if (!taken[j]) {
                    taken[j] = true;
                    n++;
                }
            }
            n = 0;
            for (int j = 0; j < usedWords; j++) {
                if (taken[j]) {
                    idx[n] = j;
                    vals[n++] = 1 + rng.nextInt(3);
                }
            }
            b.addRow(idx, binary ? null : vals, 0, n);
        }
        return b;
    }

    /** The batch as a dense {@code [rows][cols]} tensor. */
    static Tensor dense(SparseBatch b) {
        Tensor t = Tensor.zeros(b.rows(), b.cols());
        for (int r = 0; r < b.rows(); r++) b.densifyRow(r, t.data(), r * b.cols());
        return t;
    }

    /** A dense network {@code in → Dense(in, hidden) → Sigmoid → Dense(hidden, 1)}, seeded, with a non-zero first bias. */
    static Network denseNet(int in, int hidden, long seed) {
        Network net = new Network(in).add(new Dense(in, hidden)).add(new Sigmoid()).add(new Dense(hidden, 1))
                .initialize(Initializer.NORMAL_FAN_IN, seed);
        Tensor b = net.parameter("dense0.bias").value();
        SplittableRandom rng = new SplittableRandom(seed + 7);
        for (int i = 0; i < hidden; i++) b.data()[i] = (float) (rng.nextDouble() - 0.5);
        return net;
    }

    /** The sparse twin of {@link #denseNet}: the first layer's weights transposed into [in][out], the rest copied. */
    static SparseNetwork sparseTwin(Network dense) {
        Dense d0 = (Dense) dense.layers().get(0);
        Dense d2 = (Dense) dense.layers().get(2);
        SparseDense first = new SparseDense(d0.inFeatures(), d0.outFeatures());
        // W_sparse[j][o] = W_dense[o][j]
        first.weight().copyFrom(d0.weight().value().transpose());
        first.bias().value().copyFrom(d0.bias().value());
        Dense out = new Dense(d2.inFeatures(), d2.outFeatures());
        out.weight().value().copyFrom(d2.weight().value());
        out.bias().value().copyFrom(d2.bias().value());
        return new SparseNetwork(first, new Network(d0.outFeatures()).add(new Sigmoid()).add(out));
    }

    /** Targets 0/1 {@code [rows, 1]}. */
    static Tensor targets(long seed, int rows) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor y = Tensor.zeros(rows, 1);
        for (int i = 0; i < rows; i++) y.data()[i] = rng.nextInt(2);
        return y;
    }
}
