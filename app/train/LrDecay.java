package app.train;

import backprop.optim.LearningRateSchedule;
import java.util.Locale;

/**
 * {@code --lr-decay} specs, applied after each epoch:
 * <ul>
 *   <li>{@code step:EVERY:GAMMA} — lr ← γ·lr every EVERY epochs (PyTorch's StepLR);</li>
 *   <li>{@code exp:GAMMA} — lr ← γ·lr after every epoch (ExponentialLR);</li>
 *   <li>{@code plateau:PATIENCE:FACTOR} — lr ← factor·lr when the validation loss has not improved
 *       for more than PATIENCE epochs (ReduceLROnPlateau).</li>
 * </ul>
 */
public final class LrDecay {
    public static final String FORMS = "step:EVERY:GAMMA, exp:GAMMA or plateau:PATIENCE:FACTOR";

    private LrDecay() {}

    /** The schedule of {@code spec}, or null for null/"none"; a bad spec says which part is wrong. */
    public static LearningRateSchedule parse(String spec) {
        if (spec == null || spec.equalsIgnoreCase("none")) return null;
        String[] p = spec.toLowerCase(Locale.ROOT).split(":", -1);
        try {
            switch (p[0]) {
                case "step":
                    if (p.length != 3) break;
                    return LearningRateSchedule.step(Integer.parseInt(p[1]), Float.parseFloat(p[2]));
                case "exp":
                    if (p.length != 2) break;
                    return LearningRateSchedule.exponential(Float.parseFloat(p[1]));
                case "plateau":
                    if (p.length != 3) break;
                    return LearningRateSchedule.reduceOnPlateau(Float.parseFloat(p[2]), Integer.parseInt(p[1]));
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lr decay '" + spec + "': " + e.getMessage() + " is not a number; write " + FORMS);
        }
        throw new IllegalArgumentException("lr decay '" + spec + "' is not of the form " + FORMS + " (e.g. step:10:0.5)");
    }
}
