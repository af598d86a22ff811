package backprop.sparse;

import static backprop.sparse.SparseVectors.L;
import static backprop.sparse.SparseVectors.S;

import backprop.BatchBuffer;
import backprop.Parameter;
import backprop.init.Initializer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import kernels.Simd;
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
 * results do not depend on the thread count. The momentum/L2 path splits the same way: the lazy
 * catch-up of present rows and the gradient sums by word ranges, the row updates by slots (distinct
 * words), and {@link #catchUpAll()} by even shares of the vocabulary.
 *
 * <p>This class holds the state and the order of the steps; the vector loops over the rows are in
 * {@link WordRowSums} (forward) and {@link WordRowUpdates} (updates).
 */
public final class SparseDense {
    /**
     * Below this many entry × output terms a forward or update runs on the calling thread: waking the
     * pool costs more. At 2^16 a batch of 64 reviews at hidden 10 (147k terms) ran slower on two
     * threads than on one; at hidden 100 (1.5M terms) two threads were 1.17–1.45× faster; a CLI run
     * at 855k terms (batch 256 of 33 words, hidden 100, a 2 MB table) showed no gain. Tests lower it.
     * {@link #catchUpAll()} compares the table's in × out weights with it.
     */
    static long parallelMinTerms = 1 << 20;

    private final int in;
    private final int out;
    private final float[] weight;      // W [in][out], row j = W[word j]
    private final Parameter bias;      // b [out], updated by the dense optimizer
    private final List<Parameter> biasOnly;  // built once: a step asks for it, and must not allocate
    private final BatchBuffer output = new BatchBuffer();
    private String name = "sparse";
    private SparseBatch input;
    private float[] hidden;            // h of the last forward: what its parts write

    // threads: the forward splits the batch rows, the plain update the words (WordRanges); the tasks
    // are made once, so a step allocates nothing
    private final WordRanges ranges = new WordRanges();
    private final ThreadPool.Task sumRowsTask = this::sumRowsPart;
    private final ThreadPool.Task scatterTask = this::scatterPart;
    private final ThreadPool.Task catchUpTask = this::catchUpPart;
    private final ThreadPool.Task gatherTask = this::gatherPart;
    private final ThreadPool.Task updateTask = this::updateGatheredPart;
    private final ThreadPool.Task catchUpAllTask = this::catchUpAllPart;

    // ∂E/∂W of the last backward: the distinct words, and their gradient rows [distinct][out]
    private final int[] slotOfWord;    // [in], −1 when the word is not in the batch
    private int[] gradientWords = new int[64];
    private int[] firstEntry = new int[64]; // [slot]: the batch entry where the slot's word first appears
    private float[] gradientRows;
    private int distinctWords;
    private boolean gathered;          // gradientRows holds the last backward's ∂E/∂W
    private int[][] owingWords = new int[1][64]; // [part][]: the catch-up's words that owe steps
    private int[][] owedSteps = new int[1][64];  // [part][]: how many each
    private float[] touchSink = new float[1];    // [part]: what the catch-up's early loads add up to
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
        this.biasOnly = List.of(bias);
        this.slotOfWord = new int[in];
        Arrays.fill(slotOfWord, -1);
        this.gradientRows = new float[gradientWords.length * out];
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
    public List<Parameter> parameters() { return biasOnly; }
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
        return lazy ? missedSteps(word) : 0;
    }

    /** Steps that row {@code word} missed under the lazy rule: the ones after its last update and after the last catchUpAll. */
    private int missedSteps(int word) {
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
        // before the batch rows are split: each present row caught up once, by the thread of its word range
        if (lazy) {
            int parts = parts(x, Integer.MAX_VALUE); // read once: the lists below are sized for it
            reserveOwing(parts, Math.min(x.nonZeros(), in));
            runOverWords(catchUpTask, parts);
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
            // h_r = b + Σ_{j ∈ r} x_rj·W[j]
            WordRowSums.sum(weight, out, b, vals, idx, ptr[r], ptr[r + 1], hd, r * out);
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

    /**
     * ∂E/∂W[j] = Σ_{r ∋ j} x_rj·δ_r, one row per distinct word of the batch, in order of first
     * appearance. Slots are numbered on the calling thread; the sums are split by word ranges like
     * the plain update, and every row gets its terms in batch-row order: the same bits for any
     * number of threads.
     */
    private void gatherGradient() {
        if (gathered) return;
        SparseBatch x = input;
        if (delta == null) throw new IllegalStateException(who() + ": no gradient before backward");
        reserveGradient(Math.min(x.nonZeros(), in));
        int[] idx = x.indices();
        distinctWords = 0;
        for (int p = 0; p < x.nonZeros(); p++) {
            int word = idx[p];
            if (slotOfWord[word] < 0) {
                slotOfWord[word] = distinctWords;
                gradientWords[distinctWords] = word;
                firstEntry[distinctWords++] = p;
            }
        }
        try {
            runOverWords(gatherTask);
        } finally {
            // slotOfWord is −1 again for the next gather, even if a part failed
            for (int s = 0; s < distinctWords; s++) slotOfWord[gradientWords[s]] = -1;
        }
        gathered = true;
    }

    /** Part {@code part} of {@link #gatherGradient}: the gradient rows of its words ({@link WordRanges}). */
    private void gatherPart(int part, int parts) {
        ranges.locate(input, part);
        gatherRows(part * input.rows());
    }

    /** Sums the gradient rows of the entries {@code [from[base + r], to[base + r])} of each batch row r, rows in order. */
    private void gatherRows(int base) {
        SparseBatch x = input;
        int[] from = ranges.from, to = ranges.to, idx = x.indices();
        float[] vals = x.values();
        for (int r = 0; r < x.rows(); r++) {
            int dr = deltaOff + r * out;
            for (int p = from[base + r]; p < to[base + r]; p++) {
                int slot = slotOfWord[idx[p]];
                float xv = vals == null ? 1f : vals[p];
                if (p == firstEntry[slot]) {
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
            int parts = parts(input, distinctWords);
            if (parts > 1) ThreadPool.get().run(updateTask, parts);
            else updateGathered(0, distinctWords);
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
        runOverWords(scatterTask);
    }

    /**
     * Runs {@code task} on the word ranges of the batch ({@link WordRanges}): one range per thread
     * above {@link #parallelMinTerms}, else one range of all the words, on the calling thread.
     */
    private void runOverWords(ThreadPool.Task task) {
        runOverWords(task, parts(input, Integer.MAX_VALUE));
    }

    /** {@link #runOverWords(ThreadPool.Task)} with the number of parts already chosen. */
    private void runOverWords(ThreadPool.Task task, int parts) {
        ranges.split(input, in, parts);
        if (parts > 1) ThreadPool.get().run(task, parts);
        else task.run(0, 1); // below the threshold the pool is not even created
    }

    /** Part {@code part} of the plain update: the rows of its words ({@link WordRanges}). */
    private void scatterPart(int part, int parts) {
        ranges.locate(input, part);
        scatterRows(part * input.rows());
    }

    /** The plain update for the entries {@code [from[base + r], to[base + r])} of each batch row r. */
    private void scatterRows(int base) {
        // W[j] ← W[j] − lr·x_rj·δ_r, rows r in batch order
        WordRowUpdates.scatter(weight, out, lr, delta, deltaOff, ranges.from, ranges.to, base, input.indices(), input.values(), input.rows());
    }

    /** Part {@code part} of the gathered update: an even share of the slots (rows are independent). */
    private void updateGatheredPart(int part, int parts) {
        updateGathered((int) ((long) distinctWords * part / parts), (int) ((long) distinctWords * (part + 1) / parts));
    }

    /** The momentum/L2 update of the rows in slots [s0, s1) from their gathered gradient rows. */
    private void updateGathered(int s0, int s1) {
        float[] v = velocity;
        for (int s = s0; s < s1; s++) {
            int word = gradientWords[s];
            // g ← g + λ·w ; v ← μ·v + g ; w ← w − lr·v
            WordRowUpdates.updateRow(weight, v, word * out, gradientRows, s * out, out, lr, mu, l2);
            if (lazy) stepsApplied[word] = steps + 1;
        }
    }

    /**
     * Part {@code part} of the lazy catch-up before a forward: the rows of its words
     * ({@link WordRanges}). It splits even when no row owes a step (an evaluation batch): the split
     * is one pass over the batch's entries.
     */
    private void catchUpPart(int part, int parts) {
        ranges.locate(input, part);
        int[] from = ranges.from, to = ranges.to, idx = input.indices();
        // First the words that owe steps, each once, then their rows. A row's catch-up is long (M^k and
        // a double loop over the row: 145–173 ns at hidden 100 with the row cached), so out-of-order
        // execution does not reach the next word's cache misses by itself; the rows of the next
        // TOUCH_GROUP words are loaded (one float a line) before the current group is caught up, and
        // their misses overlap.
        int[] owing = owingWords[part], owed = owedSteps[part];
        int n = 0;
        for (int r = 0, base = part * input.rows(); r < input.rows(); r++) {
            for (int p = from[base + r]; p < to[base + r]; p++) {
                int word = idx[p];
                int k = missedSteps(word);
                if (k > 0) {
                    owing[n] = word;
                    owed[n++] = k;
                    stepsApplied[word] = steps; // its later entries owe nothing
                }
            }
        }
        float seen = 0f;
        for (int i = 0; i < Math.min(n, TOUCH_GROUP); i++) seen += touchRows(owing[i]);
        for (int g = 0; g < n; g += TOUCH_GROUP) {
            for (int i = g + TOUCH_GROUP, end = Math.min(n, g + 2 * TOUCH_GROUP); i < end; i++) seen += touchRows(owing[i]);
            // (w, v) ← M^k·(w, v)
            for (int i = g, end = Math.min(n, g + TOUCH_GROUP); i < end; i++) applySteps(owing[i], owed[i]);
        }
        touchSink[part] = seen; // the loads must not be dead code
    }

    /** Rows whose lines the catch-up loads ahead at once (8 against 4 and 16: faster in a scratch run). */
    private static final int TOUCH_GROUP = 8;

    /**
     * Loads floats 16 apart along the rows of W and v of {@code word}, and their last float: every
     * 64-byte line they span (rows need not start on a line). Returns their sum.
     */
    private float touchRows(int word) {
        int off = word * out, last = off + out - 1;
        float[] v = velocity;
        float sum = weight[last] + (v == null ? 0f : v[last]);
        for (int o = off; o < last; o += 16) {
            sum += weight[o];
            if (v != null) sum += v[o];
        }
        return sum;
    }

    /** Applies every pending step to every row (O(in·out)); after it, {@link #storedWeight()} is current. */
    public void catchUpAll() {
        if (lazy) {
            int parts = (long) in * out < parallelMinTerms ? 1 : Math.min(ThreadPool.get().threads(), in);
            if (parts > 1) ThreadPool.get().run(catchUpAllTask, parts);
            else catchUpAllPart(0, 1);
        }
        upToDateAt = steps;
    }

    /** Part {@code part} of {@link #catchUpAll}: an even share of the vocabulary. */
    private void catchUpAllPart(int part, int parts) {
        for (int word = (int) ((long) in * part / parts), end = (int) ((long) in * (part + 1) / parts); word < end; word++) catchUp(word);
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
        int k = missedSteps(word);
        if (k <= 0) return;
        applySteps(word, k);
        stepsApplied[word] = steps;
    }

    /** (w, v) ← M^k·(w, v) on row {@code word}; the caller records that the row is up to date. */
    private void applySteps(int word, int k) {
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
    }

    /** y[yOff ..) += x[xOff ..), {@code out} elements. */
    private void addRow(float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; Simd.ON && i <= out - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < out; i++) y[yOff + i] += x[xOff + i];
    }

    /** y[yOff ..) = alpha·x[xOff ..), {@code out} elements. */
    private void scaleRow(float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < out; i++) y[yOff + i] = alpha * x[xOff + i];
    }

    /**
     * Room for {@code words} owing words in each of {@code parts} parts (a part lists a word once, so
     * at most min(entries, in)); grows by doubling, never shrinks: no allocation in a steady step.
     */
    private void reserveOwing(int parts, int words) {
        if (parts > owingWords.length || words > owingWords[0].length) {
            int len = Math.min(in, Math.max(words, 2 * owingWords[0].length));
            owingWords = new int[Math.max(parts, owingWords.length)][len];
            owedSteps = new int[owingWords.length][len];
            touchSink = new float[owingWords.length];
        }
    }

    private void reserveGradient(int words) {
        if (words > gradientWords.length) {
            gradientWords = new int[Math.min(in, Math.max(words, 2 * gradientWords.length))];
            firstEntry = new int[gradientWords.length];
            gradientRows = new float[gradientWords.length * out];
        }
    }

    private String who() {
        return name + " (SparseDense " + in + "→" + out + ")";
    }

    @Override
    public String toString() { return who(); }
}
