package backprop.sparse;

import backprop.BatchBuffer;
import backprop.Parameter;
import backprop.init.Initializer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import kernels.ThreadPool;
import kernels.VectorOps;
import tensor.Tensor;

/**
 * A fully connected first layer over a sparse input ({@link SparseBatch}): the index-based layer
 * of the notes' sentiment network. For a review, the hidden layer is the sum of the weight rows
 * of the words it contains, so the cost of a step is proportional to the number of distinct
 * words, not to the vocabulary.
 *
 * <pre>
 * forward    h_r      = b + Σ_{j ∈ r} x_rj·W[j]       (binary: h_r += W[j], no multiply by 0 or 1)
 * backward   ∂E/∂b    = Σ_r δ_r                        (δ_r = ∂E/∂h_r)
 *            ∂E/∂W[j] = Σ_{r ∋ j} x_rj·δ_r             (only the rows of words present in the batch)
 * update     W[j]    −= lr·∂E/∂W[j]                    (plain SGD; momentum and L2 below)
 * </pre>
 *
 * <h2>Layout</h2>
 * The weights are stored word-major, {@code W [in][out]}: the {@code out} weights of word j are
 * contiguous at {@code j·out}, so "add the row of word j" is one streaming pass. This is the
 * transpose of {@link backprop.layers.Dense}'s PyTorch-Linear layout {@code [out][in]}:
 * {@code W_sparse[j][o] = W_dense[o][j]}, and the two layers compute the same function.
 * A checkpoint stores the tensor as it is held, {@code [in][out]} — the layout of PyTorch's
 * {@code nn.EmbeddingBag(in, out, mode="sum").weight}; loading it into an {@code nn.Linear}
 * means transposing it. The input gradient ∂E/∂x is never formed: nothing is before this layer.
 *
 * <h2>Momentum and L2: lazy rows</h2>
 * The rule is the dense one: {@link backprop.optim.Sgd} updates every weight every step, and a
 * word absent from a batch has a zero data gradient, so its row still moves:
 * <pre>
 * v ← μ·v + λ·w          w ← w − lr·v          i.e. (w, v) ← M·(w, v),  M = [[1 − lr·λ, −lr·μ], [λ, μ]]
 * </pre>
 * Doing that for all rows every step would cost O(vocabulary). Instead a row remembers how many
 * steps it has had ({@code stepsApplied}); the k steps it missed are applied in closed form,
 * {@code (w, v) ← M^k·(w, v)} (M^k by squaring, in double), when the row is next read by
 * {@link #forward}, and for all rows by {@link #catchUpAll()} (called before the weights are
 * read out, saved, or the optimizer settings change). So the sparse path computes the same
 * weights as Dense with {@code Sgd}, to float rounding, while touching only present rows; with
 * plain SGD (μ = 0, λ = 0) M is the identity and nothing is deferred: the rows of absent words
 * are bitwise unchanged. L1 is refused: its sign(w) step has no closed form to catch up with.
 *
 * <h2>Threads</h2>
 * Above {@link #parallelMinTerms} the forward splits the batch rows among the engine's threads and
 * the plain update splits the words ({@link WordRanges}): no row is written by two threads, and every
 * output row and weight row gets the same operations in the same order as on one thread, so the
 * results do not depend on the thread count. The lazy catch-up and the momentum/L2 update run on the
 * calling thread.
 */
public final class SparseDense {
    /**
     * The vector shape of the loops: the machine's preferred one, or forced with
     * {@code -Dnabla.sparse.vector=128|256|512} (the test suite runs {@code SparseDenseWidthTest} at
     * each; a shape wider than the machine's runs emulated, much slower).
     */
    private static final VectorSpecies<Float> S = species(System.getProperty("nabla.sparse.vector", "auto").trim());
    private static final int L = S.length();
    /**
     * Below this many entry × output terms a forward or update runs on the calling thread: waking the
     * pool costs more. At 2^16 a batch of 64 reviews at hidden 10 (147k terms) ran slower on two
     * threads than on one; at hidden 100 (1.5M terms) two threads were 1.17–1.45× faster; a CLI run
     * at 855k terms (batch 256 of 33 words, hidden 100, a 2 MB table) showed no gain. Tests lower it.
     */
    static long parallelMinTerms = 1 << 20;

    private final int in;
    private final int out;
    private final float[] weight;      // W [in][out], row j = W[word j]
    private final Parameter bias;      // b [out], updated by the dense optimizer
    private final BatchBuffer output = new BatchBuffer();
    private String name = "sparse";
    private SparseBatch input;
    private float[] hidden;            // h of the last forward: what its parts write

    // threads: the forward splits the batch rows, the plain update the words (WordRanges); the tasks
    // are made once, so a step allocates nothing
    private final WordRanges ranges = new WordRanges();
    private final ThreadPool.Task sumRowsTask = this::sumRowsPart;
    private final ThreadPool.Task scatterTask = this::scatterPart;

    // ∂E/∂W of the last backward: the distinct words, and their gradient rows [distinct][out]
    private final int[] slotOfWord;    // [in], −1 when the word is not in the batch
    private int[] gradientWords = new int[64];
    private float[] gradientRows;
    private int distinctWords;
    private boolean gathered;          // gradientRows holds the last backward's ∂E/∂W
    private float[] delta;             // δ = ∂E/∂h of the last backward, [rows][out] from deltaOff
    private int deltaOff;

    // optimizer state of the rows: settings of the pending steps, velocity, steps per row
    private float[] velocity;          // [in][out], allocated when momentum first appears
    private int[] stepsApplied;        // [in], allocated with the first momentum or L2 step
    private int steps;                 // update steps taken
    private int upToDateAt;            // every row has all steps before this one
    private float lr = Float.NaN, mu, l2;
    private boolean lazy;              // μ > 0 or λ > 0: absent rows have pending steps

    /** A sparse layer {@code in → out} with bias. */
    public SparseDense(int in, int out) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("sparse dense: sizes must be >= 1, got in=" + in + " out=" + out);
        if ((long) in * out > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sparse dense: " + in + " x " + out + " weights do not fit in one Java array (max "
                    + (Integer.MAX_VALUE - 8) + "); use a smaller vocabulary or hidden layer");
        }
        this.in = in;
        this.out = out;
        this.weight = new float[in * out];
        this.bias = new Parameter("bias", Tensor.zeros(out), false);
        this.slotOfWord = new int[in];
        Arrays.fill(slotOfWord, -1);
        this.gradientRows = new float[gradientWords.length * out];
    }

    private static VectorSpecies<Float> species(String bits) {
        return switch (bits) {
            case "auto" -> FloatVector.SPECIES_PREFERRED;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("nabla.sparse.vector must be auto, 128, 256 or 512, got '" + bits + "'");
        };
    }

    /** Floats per vector in this layer's loops (L). */
    static int vectorLength() { return L; }

    public String name() { return name; }
    public void setName(String name) { this.name = name; }
    public int inFeatures() { return in; }
    public int outFeatures() { return out; }
    /** b {@code [out]}: a dense parameter, for the ordinary optimizer (with the layers after this one). */
    public Parameter bias() { return bias; }
    /** The dense parameters, [b]: what {@link backprop.optim.Sgd} updates; W is updated by {@link #step}. */
    public List<Parameter> parameters() { return List.of(bias); }
    /** Update steps taken by {@link #step}. */
    public int steps() { return steps; }

    /** W {@code [in][out]} (a view of the storage), every row brought up to date first. */
    public Tensor weight() {
        catchUpAll();
        return Tensor.of(weight, in, out);
    }

    /** W as stored, rows of absent words possibly behind by {@link #pendingSteps} (for tests of the lazy rule). */
    public Tensor storedWeight() {
        return Tensor.of(weight, in, out);
    }

    /** The velocity {@code [in][out]} after bringing every row up to date, or null without momentum. */
    public Tensor velocity() {
        catchUpAll();
        return velocity == null ? null : Tensor.of(velocity, in, out);
    }

    /** Steps that row {@code word} has not had yet (0 under plain SGD). */
    public int pendingSteps(int word) {
        if (!lazy) return 0;
        return steps - Math.max(stepsApplied[word], upToDateAt);
    }

    /** Fills W from {@code rng} as Dense(in, out) would be filled (same distribution, i.i.d.), b with zeros. */
    public void initialize(Initializer init, SplittableRandom rng) {
        init.fill(weight, 0, in, out, rng);
        bias.value().fill(0f);
    }

    /** The hidden pre-activations {@code h [rows][out]} of a batch, into a buffer this layer reuses. */
    public Tensor forward(SparseBatch x) {
        if (x.cols() != in) {
            throw new IllegalArgumentException(who() + " expects " + in + " input columns (the vocabulary) but the batch has " + x.cols());
        }
        input = x;
        delta = null; // a new batch: the last backward's δ and gradient rows belong to the old one
        gathered = false;
        int rows = x.rows();
        Tensor h = output.get(rows, out);
        hidden = h.data();
        if (lazy) {
            // before the rows are split among threads: rows of words in several reviews are caught up once
            int[] idx = x.indices();
            for (int p = 0; p < x.nonZeros(); p++) catchUp(idx[p]);
        }
        int parts = parts(x, rows);
        if (parts > 1) ThreadPool.get().run(sumRowsTask, parts);
        else sumRows(0, rows);
        return h;
    }

    /** Threads for a step on {@code x}, at most {@code cap}: one below {@link #parallelMinTerms} terms. */
    private int parts(SparseBatch x, int cap) {
        if ((long) x.nonZeros() * out < parallelMinTerms) return 1;
        return Math.min(ThreadPool.get().threads(), cap);
    }

    /** Part {@code part} of {@code parts} of the forward: a contiguous share of the batch rows. */
    private void sumRowsPart(int part, int parts) {
        int rows = input.rows();
        sumRows((int) ((long) rows * part / parts), (int) ((long) rows * (part + 1) / parts));
    }

    /** h_r = b + Σ_{j ∈ r} x_rj·W[j] for the batch rows r in [r0, r1). */
    private void sumRows(int r0, int r1) {
        SparseBatch x = input;
        float[] hd = hidden, b = bias.value().data(), vals = x.values();
        int[] ptr = x.rowPointers(), idx = x.indices();
        for (int r = r0; r < r1; r++) {
            int start = ptr[r], end = ptr[r + 1];
            if (out > 2 * L) sumWordRows(b, vals, idx, start, end, hd, r * out);
            else if (out >= L) sumWordRowsTwoVectors(b, vals, idx, start, end, hd, r * out);
            else sumWordRowsScalar(b, vals, idx, start, end, hd, r * out);
        }
    }

    /**
     * h[hOff ..+out) = b + Σ_{p ∈ [start, end)} x_p·W[idx[p]], for out > 2L. Four vectors of h are
     * kept in registers while the words' rows are added to them: four independent add chains, so
     * the loop runs at the rate of the loads, not at the latency of one add (a single chain ran
     * 2-3x slower, and storing h after every word 2-7x slower). A group is two pairs of adjacent
     * vectors, at u, u + L and v, v + L: constant distances, so that the JIT checks the bounds once
     * a pair instead of once a load, as it did for four offsets each clipped to out − L (the gain,
     * with {@link #scatterDeltaInChunks}, is in README's sentiment section). Groups step by 4L and
     * the last one ends at out, overlapping the one before; below 4L one group covers [0, 2L) and
     * [out − 2L, out).
     * Lanes computed twice get bitwise the same value (same terms, same order); per lane the words
     * are added in index order, whatever the group.
     */
    private void sumWordRows(float[] b, float[] vals, int[] idx, int start, int end, float[] hd, int hOff) {
        for (int g = 0; g < out; g += 4 * L) {
            int u = out >= 4 * L ? Math.min(g, out - 4 * L) : 0;
            int v = out >= 4 * L ? u + 2 * L : out - 2 * L;
            // h_r = b
            FloatVector acc0 = FloatVector.fromArray(S, b, u), acc1 = FloatVector.fromArray(S, b, u + L);
            FloatVector acc2 = FloatVector.fromArray(S, b, v), acc3 = FloatVector.fromArray(S, b, v + L);
            if (vals == null) {
                for (int p = start; p < end; p++) {
                    int row = idx[p] * out;
                    // h_r += W[word]
                    acc0 = acc0.add(FloatVector.fromArray(S, weight, row + u));
                    acc1 = acc1.add(FloatVector.fromArray(S, weight, row + u + L));
                    acc2 = acc2.add(FloatVector.fromArray(S, weight, row + v));
                    acc3 = acc3.add(FloatVector.fromArray(S, weight, row + v + L));
                }
            } else {
                for (int p = start; p < end; p++) {
                    int row = idx[p] * out;
                    FloatVector x = FloatVector.broadcast(S, vals[p]);
                    // h_r += x_rj·W[word]
                    acc0 = FloatVector.fromArray(S, weight, row + u).fma(x, acc0);
                    acc1 = FloatVector.fromArray(S, weight, row + u + L).fma(x, acc1);
                    acc2 = FloatVector.fromArray(S, weight, row + v).fma(x, acc2);
                    acc3 = FloatVector.fromArray(S, weight, row + v + L).fma(x, acc3);
                }
            }
            acc0.intoArray(hd, hOff + u);
            acc1.intoArray(hd, hOff + u + L);
            acc2.intoArray(hd, hOff + v);
            acc3.intoArray(hd, hOff + v + L);
        }
    }

    /**
     * Width of the chunk of a row that starts at {@code start}, for {@link #scatterDeltaInChunks}
     * (out > 4L): the rest of the row when it is at most 8 vectors, 8 vectors while at least 9
     * remain, else 4 (leaving 4–5). So every chunk is L..8L wide and the chunks do not overlap: one
     * chunk is updated after another without a lane being read after its own store.
     */
    private int chunkWidth(int start) {
        int rest = out - start;
        return rest <= 8 * L ? rest : rest >= 9 * L ? 8 * L : 4 * L;
    }

    /**
     * {@link #sumWordRows} for L ≤ out ≤ 2L (hidden 10 on AVX2): a row is two vectors, at 0 and at out − L
     * (overlapping), so two accumulators and two loads a word instead of four of each (measured: 2.0–3.4
     * ns a word against 3.8–6.6 at vocabularies of 10k and 74k). The same sums in the same order per lane.
     */
    private void sumWordRowsTwoVectors(float[] b, float[] vals, int[] idx, int start, int end, float[] hd, int hOff) {
        int t = out - L;
        // h_r = b
        FloatVector acc0 = FloatVector.fromArray(S, b, 0), acc1 = FloatVector.fromArray(S, b, t);
        if (vals == null) {
            for (int p = start; p < end; p++) {
                int row = idx[p] * out;
                // h_r += W[word]
                acc0 = acc0.add(FloatVector.fromArray(S, weight, row));
                acc1 = acc1.add(FloatVector.fromArray(S, weight, row + t));
            }
        } else {
            for (int p = start; p < end; p++) {
                int row = idx[p] * out;
                FloatVector x = FloatVector.broadcast(S, vals[p]);
                // h_r += x_rj·W[word]
                acc0 = FloatVector.fromArray(S, weight, row).fma(x, acc0);
                acc1 = FloatVector.fromArray(S, weight, row + t).fma(x, acc1);
            }
        }
        acc0.intoArray(hd, hOff);
        acc1.intoArray(hd, hOff + t);
    }

    /** {@link #sumWordRows} for out < L, one lane at a time. */
    private void sumWordRowsScalar(float[] b, float[] vals, int[] idx, int start, int end, float[] hd, int hOff) {
        for (int o = 0; o < out; o++) {
            float acc = b[o];
            if (vals == null) {
                for (int p = start; p < end; p++) acc += weight[idx[p] * out + o];
            } else {
                for (int p = start; p < end; p++) acc = Math.fma(weight[idx[p] * out + o], vals[p], acc);
            }
            hd[hOff + o] = acc;
        }
    }

    /**
     * Writes ∂E/∂b and keeps δ = ∂E/∂h {@code [rows][out]} for the rows ∂E/∂W[j] of the words
     * present in the last forward's batch. Overwrites (does not accumulate), as every layer's
     * backward. The rows are gathered ({@link #gradientRows}) only when they are asked for, or
     * when momentum or L2 need them; plain SGD applies δ to the weights directly in {@link #step},
     * so δ (the next layer's gradient buffer) and the input batch must stay unchanged until then.
     * Asking for the rows does not change what {@link #step} computes.
     */
    public void backward(Tensor gradOutput) {
        SparseBatch x = input;
        if (x == null) throw new IllegalStateException(who() + ": backward before forward");
        Tensor g = gradOutput;
        if (g.rank() != 2 || g.dim(0) != x.rows() || g.dim(1) != out || !BatchBuffer.isContiguous(g)) {
            BatchBuffer.requireGradient(g, who(), x.rows(), out); // throws; who() is built only here, a step allocates nothing
        }
        delta = g.data();
        deltaOff = g.offset();
        gathered = false;
        if (!bias.frozen()) {
            // ∂E/∂b = Σ_r δ_r
            VectorOps.sumRows(x.rows(), out, delta, deltaOff, out, 0f, bias.gradient().data(), 0);
        }
    }

    /** Words whose gradient rows the last backward produced ({@link #gradientWordCount()} of them valid). */
    public int[] gradientWords() {
        gatherGradient();
        return gradientWords;
    }

    public int gradientWordCount() {
        gatherGradient();
        return distinctWords;
    }

    /** ∂E/∂W[gradientWords[s]] at {@code [s·out, (s+1)·out)}. */
    public float[] gradientRows() {
        gatherGradient();
        return gradientRows;
    }

    /** ∂E/∂W[j] = Σ_{r ∋ j} x_rj·δ_r, one row per distinct word of the batch, in order of first appearance. */
    private void gatherGradient() {
        if (gathered) return;
        SparseBatch x = input;
        if (delta == null) throw new IllegalStateException(who() + ": no gradient before backward");
        reserveGradient(Math.min(x.nonZeros(), in));
        int[] ptr = x.rowPointers(), idx = x.indices();
        float[] vals = x.values();
        distinctWords = 0;
        for (int r = 0; r < x.rows(); r++) {
            int dr = deltaOff + r * out;
            for (int p = ptr[r]; p < ptr[r + 1]; p++) {
                int word = idx[p];
                int slot = slotOfWord[word];
                float xv = vals == null ? 1f : vals[p];
                if (slot < 0) {
                    slot = distinctWords++;
                    slotOfWord[word] = slot;
                    gradientWords[slot] = word;
                    // ∂E/∂W[word] = x_rj·δ_r  (first batch row holding the word)
                    if (vals == null) System.arraycopy(delta, dr, gradientRows, slot * out, out);
                    else scaleRow(xv, delta, dr, gradientRows, slot * out);
                } else if (vals == null) {
                    // ∂E/∂W[word] += δ_r
                    addRow(delta, dr, gradientRows, slot * out);
                } else {
                    // ∂E/∂W[word] += x_rj·δ_r
                    VectorOps.axpy(out, xv, delta, dr, gradientRows, slot * out);
                }
            }
        }
        for (int s = 0; s < distinctWords; s++) slotOfWord[gradientWords[s]] = -1;
        gathered = true;
    }

    /**
     * The index-based update of the rows of the words in the last backward's batch, with the
     * settings of {@link backprop.optim.Sgd} (learning rate, momentum μ, L2 λ); every other row is
     * left alone and, under momentum or L2, owes the steps it missed (see the class comment).
     */
    public void step(float learningRate, float momentum, float l1, float weightDecay) {
        if (l1 != 0f) {
            throw new IllegalArgumentException(who() + ": L1 is not supported on a sparse layer (its lazy catch-up for rows "
                    + "of absent words has no closed form); use L2");
        }
        if (delta == null) throw new IllegalStateException(who() + ": step before backward");
        if (learningRate != lr || momentum != mu || weightDecay != l2) changeSettings(learningRate, momentum, weightDecay);
        if (steps == Integer.MAX_VALUE) throw new IllegalStateException(who() + ": step counter overflow after " + steps + " steps");
        // Gathered rows when the optimizer state needs the summed gradient: momentum or L2, or a
        // velocity kept from an earlier momentum phase (Sgd sets v = g for present rows at μ = 0).
        if (lazy || velocity != null) {
            gatherGradient();
            float[] v = velocity;
            for (int s = 0; s < distinctWords; s++) {
                int word = gradientWords[s];
                updateRow(weight, v, word * out, gradientRows, s * out, out, lr, mu, l2);
                if (lazy) stepsApplied[word] = steps + 1;
            }
        } else {
            scatterDelta();
        }
        steps++;
    }

    /**
     * Plain SGD straight from δ, the notes' index-based update: for each batch row r and each of
     * its words j, W[j] ← W[j] − lr·x_rj·δ_r. A word in several rows gets their terms one after the
     * other instead of summed first (W − lr·δ₁ − lr·δ₂ for W − lr·(δ₁ + δ₂)): the same update to
     * rounding, without gathering the gradient rows into a buffer of up to rows·words·out floats.
     * With batch 1 it is bitwise the gathered update.
     */
    private void scatterDelta() {
        SparseBatch x = input;
        int parts = parts(x, Integer.MAX_VALUE);
        if (parts > 1) {
            ranges.split(x, in, parts);
            ThreadPool.get().run(scatterTask, parts);
        } else {
            ranges.whole(x, in);
            scatterRows(0);
        }
    }

    /** Part {@code part} of the plain update: the rows of its words ({@link WordRanges}). */
    private void scatterPart(int part, int parts) {
        ranges.locate(input, part);
        scatterRows(part * input.rows());
    }

    /** The plain update for the entries {@code [from[base + r], to[base + r])} of each batch row r. */
    private void scatterRows(int base) {
        int[] from = ranges.from, to = ranges.to, idx = input.indices();
        float[] vals = input.values();
        int rows = input.rows();
        if (out >= L && out <= 2 * L) {
            scatterDeltaTwoVectors(from, to, base, idx, vals, rows);
            return;
        }
        if (out > 4 * L) {
            scatterDeltaInChunks(from, to, base, idx, vals, rows);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int dr = deltaOff + r * out;
            for (int p = from[base + r]; p < to[base + r]; p++) {
                // W[word] ← W[word] − lr·x_rj·δ_r
                if (vals == null) updateRow(weight, null, idx[p] * out, delta, dr, out, lr, 0f, 0f);
                else scaledUpdateRow(idx[p] * out, vals[p], dr);
            }
        }
    }

    /**
     * {@link #scatterDelta} for L ≤ out ≤ 2L: a row of δ is two vectors (at 0 and out − L), kept in
     * registers for all the words of its batch row instead of reloaded for each (measured: 4.6–6.3 ns a
     * word against 7.3–11.6). Per word the operations of {@link #updateRow} and {@link #scaledUpdateRow},
     * in their order, the overlapping vector computed before either store: the same bits.
     */
    private void scatterDeltaTwoVectors(int[] from, int[] to, int base, int[] idx, float[] vals, int rows) {
        int t = out - L;
        FloatVector lrV = FloatVector.broadcast(S, -lr);
        for (int r = 0; r < rows; r++) {
            int dr = deltaOff + r * out;
            FloatVector d0 = FloatVector.fromArray(S, delta, dr), dt = FloatVector.fromArray(S, delta, dr + t);
            for (int p = from[base + r]; p < to[base + r]; p++) {
                int o = idx[p] * out;
                FloatVector g0 = d0, gt = dt;
                if (vals != null) {
                    // g = x·δ
                    FloatVector xv = FloatVector.broadcast(S, vals[p]);
                    g0 = d0.mul(xv);
                    gt = dt.mul(xv);
                }
                // W[word] ← W[word] − lr·g  (the overlapping vector from the old row, before either store)
                FloatVector wt = gt.fma(lrV, FloatVector.fromArray(S, weight, o + t));
                g0.fma(lrV, FloatVector.fromArray(S, weight, o)).intoArray(weight, o);
                wt.intoArray(weight, o + t);
            }
        }
    }

    /**
     * {@link #scatterDelta} for out > 4L, a {@link #chunkWidth chunk} of at most 8 vectors at a time: the
     * chunk's δ vectors stay in registers for all the words of their batch row instead of being
     * reloaded with {@link #updateRow} for each word (with the forward's constant-distance groups: at
     * hidden 100, batch 64, 74k words, 31–32k reviews/s before and 37–45k after, JMH, alternated
     * twice). Per word all of the chunk's vectors are loaded and computed before any is stored, so
     * the clipped, overlapping last vectors write the same bits; chunks do not overlap. Per lane the operations of {@link #updateRow}
     * and {@link #scaledUpdateRow}, rows in batch order: the same bits as they give.
     */
    private void scatterDeltaInChunks(int[] from, int[] to, int base, int[] idx, float[] vals, int rows) {
        for (int c = 0, width; c < out; c += width) {
            width = chunkWidth(c);
            int last = c + width - L;
            int o1 = Math.min(c + L, last), o2 = Math.min(c + 2 * L, last), o3 = Math.min(c + 3 * L, last);
            int o4 = Math.min(c + 4 * L, last), o5 = Math.min(c + 5 * L, last), o6 = Math.min(c + 6 * L, last), o7 = last;
            for (int r = 0; r < rows; r++) {
                int dr = deltaOff + r * out;
                // made here, not before the chunk loop: live across it, JDK 17 boxed it (~50 bytes a step)
                FloatVector lrV = FloatVector.broadcast(S, -lr);
                FloatVector d0 = FloatVector.fromArray(S, delta, dr + c), d1 = FloatVector.fromArray(S, delta, dr + o1);
                FloatVector d2 = FloatVector.fromArray(S, delta, dr + o2), d3 = FloatVector.fromArray(S, delta, dr + o3);
                FloatVector d4 = FloatVector.fromArray(S, delta, dr + o4), d5 = FloatVector.fromArray(S, delta, dr + o5);
                FloatVector d6 = FloatVector.fromArray(S, delta, dr + o6), d7 = FloatVector.fromArray(S, delta, dr + o7);
                for (int p = from[base + r]; p < to[base + r]; p++) {
                    int row = idx[p] * out;
                    FloatVector g0 = d0, g1 = d1, g2 = d2, g3 = d3, g4 = d4, g5 = d5, g6 = d6, g7 = d7;
                    if (vals != null) {
                        // g = x·δ
                        FloatVector xv = FloatVector.broadcast(S, vals[p]);
                        g0 = d0.mul(xv); g1 = d1.mul(xv); g2 = d2.mul(xv); g3 = d3.mul(xv);
                        g4 = d4.mul(xv); g5 = d5.mul(xv); g6 = d6.mul(xv); g7 = d7.mul(xv);
                    }
                    // W[word] ← W[word] − lr·g  (all eight from the old row, then the stores)
                    FloatVector w0 = g0.fma(lrV, FloatVector.fromArray(S, weight, row + c));
                    FloatVector w1 = g1.fma(lrV, FloatVector.fromArray(S, weight, row + o1));
                    FloatVector w2 = g2.fma(lrV, FloatVector.fromArray(S, weight, row + o2));
                    FloatVector w3 = g3.fma(lrV, FloatVector.fromArray(S, weight, row + o3));
                    FloatVector w4 = g4.fma(lrV, FloatVector.fromArray(S, weight, row + o4));
                    FloatVector w5 = g5.fma(lrV, FloatVector.fromArray(S, weight, row + o5));
                    FloatVector w6 = g6.fma(lrV, FloatVector.fromArray(S, weight, row + o6));
                    FloatVector w7 = g7.fma(lrV, FloatVector.fromArray(S, weight, row + o7));
                    w0.intoArray(weight, row + c);
                    w1.intoArray(weight, row + o1);
                    w2.intoArray(weight, row + o2);
                    w3.intoArray(weight, row + o3);
                    w4.intoArray(weight, row + o4);
                    w5.intoArray(weight, row + o5);
                    w6.intoArray(weight, row + o6);
                    w7.intoArray(weight, row + o7);
                }
            }
        }
    }

    /** W[wOff ..+out) ← W − lr·(x·δ[dOff ..+out)), the product rounded first as the gathered path rounds it; tail as {@link #updateRow}. */
    private void scaledUpdateRow(int wOff, float x, int dOff) {
        if (out < L) {
            for (int i = 0; i < out; i++) weight[wOff + i] = Math.fma(x * delta[dOff + i], -lr, weight[wOff + i]);
            return;
        }
        FloatVector xv = FloatVector.broadcast(S, x), lrV = FloatVector.broadcast(S, -lr);
        int t = out - L;
        // g = x·δ ; w ← w − lr·g  (the last vector, computed before any store)
        FloatVector tail = FloatVector.fromArray(S, delta, dOff + t).mul(xv).fma(lrV, FloatVector.fromArray(S, weight, wOff + t));
        for (int i = 0; i < t; i += L) {
            // g = x·δ ; w ← w − lr·g
            FloatVector g = FloatVector.fromArray(S, delta, dOff + i).mul(xv);
            g.fma(lrV, FloatVector.fromArray(S, weight, wOff + i)).intoArray(weight, wOff + i);
        }
        tail.intoArray(weight, wOff + t);
    }

    /** Applies every pending step to every row (O(in·out)); after it, {@link #storedWeight()} is current. */
    public void catchUpAll() {
        if (lazy) {
            for (int word = 0; word < in; word++) catchUp(word);
        }
        upToDateAt = steps;
    }

    private void changeSettings(float learningRate, float momentum, float weightDecay) {
        catchUpAll(); // the pending steps were taken with the old settings
        lr = learningRate;
        mu = momentum;
        l2 = weightDecay;
        lazy = mu > 0f || l2 > 0f;
        // With μ = 0 Sgd's velocity is v = 0·v + g: an absent row's becomes 0 at once, and must not
        // come back stale if μ is raised later.
        if (mu == 0f && velocity != null) java.util.Arrays.fill(velocity, 0f);
        if (mu > 0f && velocity == null) velocity = new float[in * out];
        if (lazy && stepsApplied == null) stepsApplied = new int[in];
    }

    /** Brings row {@code word} up to date: (w, v) ← M^k·(w, v) for its k missed steps. */
    private void catchUp(int word) {
        int k = steps - Math.max(stepsApplied[word], upToDateAt);
        if (k <= 0) return;
        // M = [[1 − lr·λ, −lr·μ], [λ, μ]], M^k by squaring
        double a = 1, b = 0, c = 0, d = 1;                       // result = I
        double pa = 1.0 - (double) lr * l2, pb = -(double) lr * mu, pc = l2, pd = mu; // power = M
        for (int e = k; e > 0; e >>= 1) {
            if ((e & 1) != 0) {
                double na = a * pa + b * pc, nb = a * pb + b * pd, nc = c * pa + d * pc, nd = c * pb + d * pd;
                a = na; b = nb; c = nc; d = nd;
            }
            double qa = pa * pa + pb * pc, qb = pa * pb + pb * pd, qc = pc * pa + pd * pc, qd = pc * pb + pd * pd;
            pa = qa; pb = qb; pc = qc; pd = qd;
        }
        int off = word * out;
        float[] v = velocity;
        for (int o = 0; o < out; o++) {
            double w = weight[off + o], vo = v == null ? 0.0 : v[off + o];
            // (w, v) ← M^k·(w, v)
            weight[off + o] = (float) (a * w + b * vo);
            if (v != null) v[off + o] = (float) (c * w + d * vo);
        }
        stepsApplied[word] = steps;
    }

    /**
     * One row's SGD update, in Sgd's order of operations so that a present row gets bitwise the
     * value Dense + Sgd would give it: g ← g + λ·w; v ← μ·v + g; w ← w − lr·v.
     *
     * <p>Rows are rarely a whole number of vectors (10 or 100 floats). The last vector starts at
     * n − L and overlaps the one before it; it is loaded and computed before any store, so the
     * lanes written twice get the same value twice (same old values, same operations). One vector
     * instead of a scalar tail: with rows spread over the table each scalar read-modify-write
     * costs about as much as a vector one.
     */
    static void updateRow(float[] w, float[] v, int wOff, float[] g, int gOff, int n, float lr, float mu, float l2) {
        if (n < L) {
            updateRowScalar(w, v, wOff, g, gOff, n, lr, mu, l2);
            return;
        }
        FloatVector lrV = FloatVector.broadcast(S, -lr), muV = FloatVector.broadcast(S, mu), l2V = FloatVector.broadcast(S, l2);
        boolean decay = l2 != 0f;
        int t = n - L;
        FloatVector tw = FloatVector.fromArray(S, w, wOff + t);
        FloatVector tg = FloatVector.fromArray(S, g, gOff + t);
        // g ← g + λ·w
        if (decay) tg = tw.fma(l2V, tg);
        // v ← μ·v + g
        if (v != null) tg = FloatVector.fromArray(S, v, wOff + t).fma(muV, tg);
        for (int i = 0; i < t; i += L) {
            FloatVector wv = FloatVector.fromArray(S, w, wOff + i);
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i);
            // g ← g + λ·w
            if (decay) gv = wv.fma(l2V, gv);
            if (v != null) {
                // v ← μ·v + g
                gv = FloatVector.fromArray(S, v, wOff + i).fma(muV, gv);
                gv.intoArray(v, wOff + i);
            }
            // w ← w − lr·v
            gv.fma(lrV, wv).intoArray(w, wOff + i);
        }
        if (v != null) tg.intoArray(v, wOff + t);
        // w ← w − lr·v  (the last vector)
        tg.fma(lrV, tw).intoArray(w, wOff + t);
    }

    /** {@link #updateRow} for rows shorter than a vector. */
    private static void updateRowScalar(float[] w, float[] v, int wOff, float[] g, int gOff, int n, float lr, float mu, float l2) {
        for (int i = 0; i < n; i++) {
            float gi = g[gOff + i];
            // g ← g + λ·w
            if (l2 != 0f) gi = Math.fma(w[wOff + i], l2, gi);
            // v ← μ·v + g
            if (v != null) v[wOff + i] = gi = Math.fma(v[wOff + i], mu, gi);
            // w ← w − lr·v
            w[wOff + i] = Math.fma(gi, -lr, w[wOff + i]);
        }
    }

    /** y[yOff ..) += x[xOff ..), {@code out} elements. */
    private void addRow(float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; i <= out - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < out; i++) y[yOff + i] += x[xOff + i];
    }

    /** y[yOff ..) = alpha·x[xOff ..), {@code out} elements. */
    private void scaleRow(float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < out; i++) y[yOff + i] = alpha * x[xOff + i];
    }

    private void reserveGradient(int words) {
        if (words > gradientWords.length) {
            gradientWords = new int[Math.min(in, Math.max(words, 2 * gradientWords.length))];
            gradientRows = new float[gradientWords.length * out];
        }
    }

    private String who() {
        return name + " (SparseDense " + in + "→" + out + ")";
    }

    @Override
    public String toString() { return who(); }
}
