package backprop.loss;

import backprop.Loss;
import java.util.Locale;

/** Losses by name, for configuration files and the command line. */
public final class Losses {
    private Losses() {}

    /** Every name {@link #byName} knows, with its convention. */
    public static final String NAMES = "mse (PyTorch: mean over elements), mse_half (the notes: 1/2m·Σ), sse (½·Σ), l1, "
            + "bce_logits, softmax_ce (alias cross_entropy), nll (on log-probabilities), hinge";

    public static Loss byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "mse": return new MeanSquaredError(MeanSquaredError.Convention.MEAN);
            case "mse_half": case "mse_notes": return new MeanSquaredError(MeanSquaredError.Convention.HALF_MEAN);
            case "sse": return new SumSquaredError();
            case "l1": case "mae": return new L1Loss();
            case "bce": case "bce_logits": case "log_loss": return new BinaryCrossEntropyWithLogits();
            case "softmax_ce": case "cross_entropy": case "ce": return new SoftmaxCrossEntropy();
            case "nll": return new NegativeLogLikelihood();
            case "hinge": case "multiclass_hinge": return new MultiClassHinge();
            default: throw new IllegalArgumentException("unknown loss '" + name + "'; known: " + NAMES);
        }
    }
}
