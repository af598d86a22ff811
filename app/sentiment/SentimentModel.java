package app.sentiment;

import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.init.Initializer;
import backprop.layers.Activations;
import backprop.layers.Dense;
import backprop.loss.BinaryCrossEntropyWithLogits;
import backprop.loss.SoftmaxCrossEntropy;
import backprop.sparse.SparseBatch;
import backprop.sparse.SparseDense;
import backprop.sparse.SparseNetwork;
import data.text.Encoder;
import data.text.Sentiment;
import data.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tensor.Tensor;
import tensor.io.SafeTensors;

/**
 * The notes' sentiment network on the engine: a vocabulary, a sparse first layer
 * {@code words [vocabulary → hidden]}, an optional hidden activation, and an output layer
 * {@code output [hidden → 1]} read through a sigmoid (loss: binary cross-entropy on the logit) or
 * {@code [hidden → 2]} read through a softmax (loss: softmax cross-entropy). The notes' network is
 * activation "none" with a sigmoid output.
 *
 * <p>A checkpoint (safetensors, {@link SafeTensors}) holds the tensors {@code words.weight}
 * {@code [vocabulary][hidden]} (word-major, see {@link SparseDense}), {@code words.bias},
 * {@code output.weight} {@code [outputs][hidden]}, {@code output.bias}, and as metadata the
 * vocabulary (one word per line, in index order) and the configuration needed to rebuild it.
 */
public final class SentimentModel {
    /** What the checkpoint's {@code nabla.model} metadata says. */
    public static final String MODEL_TAG = "sentiment/1";
    public static final String ACTIVATIONS = "none, sigmoid, tanh, relu";

    /** How the output is read: one logit through a sigmoid, or two through a softmax. */
    public enum Output {
        SIGMOID, SOFTMAX;

        public static Output byName(String s) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "sigmoid": return SIGMOID;
                case "softmax": return SOFTMAX;
                default: throw new IllegalArgumentException("unknown output '" + s + "'; known: sigmoid, softmax");
            }
        }
    }

    /** The shape of the network and of its input. */
    public record Config(int hidden, String activation, Output output, boolean binary) {
        public Config {
            if (hidden < 1) throw new IllegalArgumentException("hidden size must be >= 1, got " + hidden);
            activation = activation.toLowerCase(Locale.ROOT);
            if (!List.of("none", "sigmoid", "tanh", "relu").contains(activation)) {
                throw new IllegalArgumentException("unknown activation '" + activation + "'; known: " + ACTIVATIONS);
            }
        }

        public int outputs() { return output == Output.SIGMOID ? 1 : 2; }
    }

    /** A word and how strongly it pushes a review towards positive (> 0) or negative (< 0). */
    public record WordScore(String word, double score) {}

    private static final int EVAL_BATCH = 512;

    private final Vocabulary vocabulary;
    private final Config config;
    private final SparseNetwork network;
    private final Encoder encoder;
    private final SparseBatch chunk;

    private SentimentModel(Vocabulary vocabulary, Config config) {
        this.vocabulary = vocabulary;
        this.config = config;
        SparseDense words = new SparseDense(vocabulary.size(), config.hidden());
        words.setName("words");
        Network rest = new Network(config.hidden());
        Layer act = activation(config.activation());
        if (act != null) rest.add("activation", act);
        rest.add("output", new Dense(config.hidden(), config.outputs()));
        this.network = new SparseNetwork(words, rest);
        this.encoder = new Encoder(vocabulary, config.binary());
        this.chunk = new SparseBatch(vocabulary.size(), config.binary());
    }

    /** A new model, its weights drawn from {@code seed} (normal, σ = 1/√fan_in). */
    public static SentimentModel create(Vocabulary vocabulary, Config config, long seed) {
        SentimentModel m = new SentimentModel(vocabulary, config);
        m.network.initialize(Initializer.NORMAL_FAN_IN, seed);
        return m;
    }

    public Vocabulary vocabulary() { return vocabulary; }
    public Config config() { return config; }
    public SparseNetwork network() { return network; }

    /** The loss the output is trained with: bce_logits (sigmoid) or softmax_ce (softmax). */
    public Loss newLoss() {
        return config.output() == Output.SIGMOID ? new BinaryCrossEntropyWithLogits() : new SoftmaxCrossEntropy();
    }

    /** Targets for {@link #newLoss()}: {@code [n, 1]} of 0/1 (sigmoid) or {@code [n]} class indices (softmax). */
    public Tensor targets(int[] labels) {
        Tensor t = config.output() == Output.SIGMOID ? Tensor.zeros(labels.length, 1) : Tensor.zeros(labels.length);
        for (int i = 0; i < labels.length; i++) t.data()[i] = labels[i];
        return t;
    }

    /** The reviews as sparse rows over this model's vocabulary. */
    public SparseBatch encode(List<String> reviews) {
        return encoder.encode(reviews);
    }

    /** P(positive | text). */
    public float positiveProbability(String text) {
        chunk.clear();
        encoder.addTo(chunk, text);
        float[] p = new float[1];
        margins(chunk, 0, 1, p);
        return sigmoid(p[0]);
    }

    /** P(positive) of every row of {@code x}. */
    public float[] positiveProbabilities(SparseBatch x) {
        float[] m = margins(x);
        for (int i = 0; i < m.length; i++) m[i] = sigmoid(m[i]);
        return m;
    }

    /** The fraction of rows of {@code x} whose predicted class is {@code labels}. */
    public double accuracy(SparseBatch x, int[] labels) {
        if (x.rows() != labels.length) throw new IllegalArgumentException(x.rows() + " reviews but " + labels.length + " labels");
        if (labels.length == 0) return Double.NaN;
        float[] m = margins(x);
        int right = 0;
        for (int i = 0; i < m.length; i++) if ((m[i] > 0f ? Sentiment.POSITIVE : Sentiment.NEGATIVE) == labels[i]) right++;
        return (double) right / labels.length;
    }

    /** The mean of {@code loss} over the rows of {@code x} with their labels, in evaluation mode (the validation loss of an epoch). */
    public double meanLoss(SparseBatch x, int[] labels, Loss loss) {
        if (x.rows() != labels.length) throw new IllegalArgumentException(x.rows() + " reviews but " + labels.length + " labels");
        if (labels.length == 0) return Double.NaN;
        double sum = 0;
        for (int start = 0; start < x.rows(); start += EVAL_BATCH) {
            int rows = Math.min(EVAL_BATCH, x.rows() - start);
            chunk.clear();
            for (int r = 0; r < rows; r++) chunk.addRow(x, start + r);
            // the loss is the batch mean: weighed by its rows for the mean over every review
            sum += loss.forward(network.predict(chunk), targets(Arrays.copyOfRange(labels, start, start + rows))) * rows;
        }
        return sum / labels.length;
    }

    /**
     * Every word's pull towards positive: the positive margin (the logit, or z₊ − z₋ for softmax)
     * of a review holding only that word, minus the margin of an empty review. With activation
     * "none" this is the word's weight row projected on the output weights, W[word]·w_out.
     * Sorted from most positive to most negative.
     */
    public List<WordScore> wordScores() {
        SparseBatch one = new SparseBatch(vocabulary.size(), config.binary());
        one.addRow(new int[0], config.binary() ? null : new float[0], 0, 0);
        float[] empty = margins(one);
        one.clear();
        int[] col = new int[1];
        float[] val = {1f};
        for (int j = 0; j < vocabulary.size(); j++) {
            col[0] = j;
            one.addRow(col, config.binary() ? null : val, 0, 1);
        }
        float[] m = margins(one);
        List<WordScore> scores = new ArrayList<>(m.length);
        for (int j = 0; j < m.length; j++) scores.add(new WordScore(vocabulary.word(j), (double) m[j] - empty[0]));
        scores.sort(Comparator.comparingDouble(WordScore::score).reversed().thenComparing(WordScore::word));
        return scores;
    }

    /** The positive margin of every row, in evaluation mode and batches of {@value #EVAL_BATCH}. */
    private float[] margins(SparseBatch x) {
        float[] out = new float[x.rows()];
        for (int start = 0; start < x.rows(); start += EVAL_BATCH) {
            int rows = Math.min(EVAL_BATCH, x.rows() - start);
            chunk.clear();
            for (int r = 0; r < rows; r++) chunk.addRow(x, start + r);
            margins(chunk, start, rows, out);
        }
        return out;
    }

    private void margins(SparseBatch batch, int start, int rows, float[] out) {
        Tensor z = network.predict(batch);
        float[] zd = z.data();
        int k = config.outputs();
        for (int r = 0; r < rows; r++) {
            // sigmoid: the logit z; softmax: z₊ − z₋, and P(positive) = σ(z₊ − z₋)
            out[start + r] = k == 1 ? zd[z.offset() + r] : zd[z.offset() + r * 2 + 1] - zd[z.offset() + r * 2];
        }
    }

    private static float sigmoid(float z) {
        return (float) (1.0 / (1.0 + Math.exp(-z)));
    }

    /** The hidden layer's activation; none for "none". */
    private static Layer activation(String name) {
        return name.equals("none") ? null : Activations.byName(name);
    }

    // ---------------------------------------------------------------- checkpoint

    /** Writes the weights, the vocabulary and the configuration (plus {@code extra} metadata, e.g. training settings). */
    public void save(Path file, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put("nabla.model", MODEL_TAG);
        meta.put("hidden", Integer.toString(config.hidden()));
        meta.put("activation", config.activation());
        meta.put("output", config.output().name().toLowerCase(Locale.ROOT));
        meta.put("encoding", config.binary() ? "binary" : "counts");
        meta.put("classes", String.join(",", Sentiment.NAMES));
        meta.put("words.weight.layout", "[vocabulary][hidden], word-major: row i is word i (nn.EmbeddingBag layout; nn.Linear.weight is its transpose)");
        meta.put("vocabulary", String.join("\n", vocabulary.words()));
        SafeTensors.write(file, network.state(), meta);
    }

    /** Rebuilds a model from a checkpoint written by {@link #save}. */
    public static SentimentModel load(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!MODEL_TAG.equals(meta.get("nabla.model"))) {
            throw new IllegalArgumentException(file + " is not a sentiment checkpoint (metadata nabla.model = "
                    + meta.get("nabla.model") + ", expected " + MODEL_TAG + ")");
        }
        Config config;
        try {
            config = new Config(Integer.parseInt(required(meta, "hidden", file)), required(meta, "activation", file),
                    Output.byName(required(meta, "output", file)), parseEncoding(required(meta, "encoding", file)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata hidden = '" + meta.get("hidden") + "' is not a number");
        }
        String vocab = required(meta, "vocabulary", file);
        List<String> words = vocab.isEmpty() ? List.of() : Arrays.asList(vocab.split("\n", -1));
        Vocabulary vocabulary = Vocabulary.of(words);
        SentimentModel m = new SentimentModel(vocabulary, config);
        Map<String, Tensor> expected = m.network.state();
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor t = c.tensors().get(e.getKey());
            if (t == null) throw new IllegalArgumentException(file + ": no tensor '" + e.getKey() + "'; the file has " + c.tensors().keySet());
            if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but a model of " + vocabulary.size() + " words, hidden " + config.hidden() + " needs "
                        + Arrays.toString(e.getValue().shape()));
            }
            e.getValue().copyFrom(t);
        }
        for (String name : c.tensors().keySet()) {
            if (!expected.containsKey(name)) throw new IllegalArgumentException(file + ": unexpected tensor '" + name + "'; a sentiment model has " + expected.keySet());
        }
        return m;
    }

    private static boolean parseEncoding(String s) {
        switch (s) {
            case "binary": return true;
            case "counts": return false;
            default: throw new IllegalArgumentException("unknown encoding '" + s + "'; known: binary, counts");
        }
    }

    private static String required(Map<String, String> meta, String key, Path file) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException(file + ": metadata '" + key + "' is missing; has " + meta.keySet());
        return v;
    }
}
