package backprop;

import backprop.layers.Dense;
import backprop.loss.SumSquaredError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import tensor.Tensor;

/**
 * The named intermediates of one training step, as text a learner can read next to the
 * derivation. Every Dense layer starts a stage, "hidden" (or hidden1, hidden2, ... when there are
 * several) or, for the last one, "output"; the quantities get the notes' names:
 *
 * <pre>
 * hidden_input      = x·Wᵀ + b                 hidden_output = f(hidden_input)     ... output = ŷ
 * error             = −m·∂E/∂output             (= y − ŷ for mse_half)
 * output_error_term = −m·∂E/∂output_input       (= error·f'(output_input))
 * hidden_error      = −m·∂E/∂hidden_output      (= output_error_term·W)
 * hidden_error_term = −m·∂E/∂hidden_input       (= hidden_error·f'(hidden_input))
 * delta weights     = −m·∂E/∂W                  (= Σ_records error_termᵀ·input)
 * </pre>
 * with m the number of records the loss averages over (the batch; 1 for the summed sse), so the
 * error terms are the notes' per-record quantities whatever the loss's 1/m.
 */
public final class Trace {
    private final Network network;
    private final Loss loss;
    private Optimizer optimizer;
    private int maxRows = 6;
    private int maxCols = 8;

    public Trace(Network network, Loss loss) {
        this.network = network;
        this.loss = loss;
    }

    /** Also applies the update and prints the parameters after it. */
    public Trace optimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    /** How much of each tensor to print (default 6 rows, 8 columns; the rest is elided with "…"). */
    public Trace limit(int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("trace limits must be >= 1, got " + rows + "x" + cols);
        this.maxRows = rows;
        this.maxCols = cols;
        return this;
    }

    /** Runs one step on (x, y) and returns its intermediates as text. */
    public String step(Tensor x, Tensor y) {
        List<Layer> layers = network.layers();
        String[] names = stageNames(layers);
        Tensor out = network.forward(x, true);
        double e = loss.forward(out, y);
        Tensor gOut = loss.backward();
        network.backward(gOut);
        int batch = x.dim(0);
        int m = loss instanceof SumSquaredError ? 1 : batch;

        StringBuilder sb = new StringBuilder();
        sb.append("trace of one step: ").append(network).append(", loss ").append(loss.name())
                .append(", batch ").append(batch).append('\n');
        sb.append("\nforward\n");
        tensor(sb, "x", "the input", x);
        String previous = "x";
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String formula = l instanceof Dense ? previous + "·Wᵀ" + (((Dense) l).bias() != null ? " + b" : "")
                    : l.name().replaceAll("\\d+$", "") + "(" + previous + ")";
            tensor(sb, names[i], formula + "   [" + l.name() + "]" + (i == layers.size() - 1 ? "   ŷ" : ""), network.output(i));
            previous = names[i];
        }
        sb.append("\nloss\n");
        sb.append(String.format(Locale.ROOT, "  E = %.6g   (%s)%n", e, loss.name()));
        tensor(sb, "y", "the target", y);

        sb.append(String.format(Locale.ROOT, "%nbackward   (error terms are −m·∂E/∂·, m = %d: the notes' per-record quantities)%n", m));
        for (int i = layers.size() - 1; i >= 0; i--) {
            Tensor g = i == layers.size() - 1 ? gOut : network.inputGradient(i + 1);
            String how;
            if (i == layers.size() - 1) how = "   (from the loss)";
            else if (layers.get(i + 1) instanceof Dense) how = " = " + errorName(names[i + 1]) + "·W   [" + layers.get(i + 1).name() + "]";
            else how = " = " + errorName(names[i + 1]) + "·" + layers.get(i + 1).name().replaceAll("\\d+$", "") + "'(" + names[i] + ")";
            tensor(sb, errorName(names[i]), "−m·∂E/∂" + names[i] + how, scaled(g, -m));
            for (Parameter p : layers.get(i).parameters()) {
                String what = p.localName().equals("weight") ? "delta weights" : "delta " + p.localName();
                String formula = p.localName().equals("weight")
                        ? "−m·∂E/∂W = " + errorName(names[i]) + "ᵀ·" + (i == 0 ? "x" : names[i - 1]) : "−m·∂E/∂" + p.localName();
                tensor(sb, what + " " + p.name(), formula + (p.frozen() ? "   (frozen: not computed, not applied)" : ""),
                        scaled(p.gradient(), -m));
            }
        }
        if (optimizer != null) {
            optimizer.step();
            sb.append("\nupdate   (").append(optimizer).append(")\n");
            for (Parameter p : network.parameters()) tensor(sb, p.name(), "after the step", p.value());
        }
        return sb.toString();
    }

    /** hidden_input → hidden_error_term, hidden_output → hidden_error, output → error. */
    private static String errorName(String name) {
        if (name.equals("output")) return "error";
        if (name.endsWith("_input")) return name.substring(0, name.length() - "_input".length()) + "_error_term";
        if (name.endsWith("_output")) return name.substring(0, name.length() - "_output".length()) + "_error";
        return name + "_error";
    }

    /** The notes' name of each layer's output. */
    static String[] stageNames(List<Layer> layers) {
        int dense = 0;
        for (Layer l : layers) if (l instanceof Dense) dense++;
        String[] names = new String[layers.size()];
        int seen = 0;
        String stage = "input";
        List<Integer> stageLayers = new ArrayList<>();
        for (int i = 0; i <= layers.size(); i++) {
            boolean newStage = i == layers.size() || layers.get(i) instanceof Dense;
            if (newStage && !stageLayers.isEmpty()) name(names, layers, stageLayers, stage);
            if (i == layers.size()) break;
            if (newStage) {
                seen++;
                stage = seen == dense ? "output" : dense > 2 ? "hidden" + seen : "hidden";
                stageLayers.clear();
            }
            stageLayers.add(i);
        }
        return names;
    }

    private static void name(String[] names, List<Layer> layers, List<Integer> idx, String stage) {
        int last = idx.get(idx.size() - 1);
        for (int i : idx) {
            Layer l = layers.get(i);
            String kind = l.name().replaceAll("\\d+$", "");
            if (i == last) names[i] = stage.equals("output") ? "output" : stage + "_output";
            else if (l instanceof Dense) names[i] = stage + "_input";
            else names[i] = stage + "_" + kind;
        }
    }

    private static Tensor scaled(Tensor t, float s) {
        Tensor c = t.copy();
        for (int i = 0; i < c.size(); i++) c.data()[i] *= s;
        return c;
    }

    private void tensor(StringBuilder sb, String name, String formula, Tensor t) {
        sb.append(String.format(Locale.ROOT, "  %-28s %-9s = %s%n", name, Arrays.toString(t.shape()).replace(" ", ""), formula));
        Tensor c = t.copy();
        int rows = c.rank() == 1 ? 1 : c.dim(0), cols = c.rank() == 1 ? c.dim(0) : c.size() / c.dim(0);
        for (int r = 0; r < Math.min(rows, maxRows); r++) {
            sb.append("      [");
            for (int j = 0; j < Math.min(cols, maxCols); j++) sb.append(String.format(Locale.ROOT, " %10.4g", c.data()[r * cols + j]));
            if (cols > maxCols) sb.append("  … ").append(cols - maxCols).append(" more");
            sb.append(" ]\n");
        }
        if (rows > maxRows) sb.append("      … ").append(rows - maxRows).append(" more rows\n");
    }
}
