package backprop.optim;

import backprop.Parameter;
import java.util.List;

/**
 * Weight penalties added to the loss: L2, (λ₂/2)·Σw² with gradient λ₂·w ("weight decay"), and L1,
 * λ₁·Σ|w| with subgradient λ₁·sign(w) (sign 0 = 0). By default they apply to weights only
 * ({@link Parameter#decays()}), not to biases or normalization parameters.
 *
 * <p>{@link Sgd} adds the gradient inside its update, in the same pass; {@link #penalty} and
 * {@link #addGradient} give the same terms to whoever reports the full loss or checks gradients.
 */
public final class Regularization {
    public static final Regularization NONE = new Regularization(0f, 0f, false);

    private final float l1;
    private final float l2;
    private final boolean includeBiases;

    private Regularization(float l1, float l2, boolean includeBiases) {
        if (!(l1 >= 0f) || !(l2 >= 0f) || Float.isInfinite(l1) || Float.isInfinite(l2)) {
            throw new IllegalArgumentException("regularization strengths must be finite and >= 0, got l1=" + l1 + " l2=" + l2);
        }
        this.l1 = l1;
        this.l2 = l2;
        this.includeBiases = includeBiases;
    }

    /** L2: E + (λ/2)·Σw². */
    public static Regularization l2(float lambda) { return new Regularization(0f, lambda, false); }
    /** L1: E + λ·Σ|w|. */
    public static Regularization l1(float lambda) { return new Regularization(lambda, 0f, false); }
    /** Both: E + λ₁·Σ|w| + (λ₂/2)·Σw². */
    public static Regularization of(float l1, float l2) { return new Regularization(l1, l2, false); }

    /** The same penalty, applied to every parameter, biases included. */
    public Regularization includeBiases() { return new Regularization(l1, l2, true); }

    public float l1() { return l1; }
    public float l2() { return l2; }
    public boolean isNone() { return l1 == 0f && l2 == 0f; }

    /** True when the penalty applies to {@code p}. */
    public boolean appliesTo(Parameter p) {
        return !isNone() && (includeBiases || p.decays());
    }

    /** λ₁·Σ|w| + (λ₂/2)·Σw² over the parameters it applies to, in double. */
    public double penalty(List<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            if (!appliesTo(p)) continue;
            float[] w = p.value().data();
            for (int i = 0; i < p.size(); i++) sum += l1 * Math.abs((double) w[i]) + 0.5 * l2 * (double) w[i] * w[i];
        }
        return sum;
    }

    /** Adds λ₁·sign(w) + λ₂·w to each gradient it applies to (for a gradient check; Sgd fuses it). */
    public void addGradient(List<Parameter> params) {
        for (Parameter p : params) {
            if (!appliesTo(p) || p.frozen()) continue;
            float[] w = p.value().data(), g = p.gradient().data();
            // ∂/∂w [λ₁|w| + λ₂/2·w²] = λ₁·sign(w) + λ₂·w
            for (int i = 0; i < p.size(); i++) g[i] += l1 * Math.signum(w[i]) + l2 * w[i];
        }
    }

    @Override
    public String toString() {
        if (isNone()) return "none";
        return (l1 > 0 ? "L1 λ=" + l1 : "") + (l1 > 0 && l2 > 0 ? ", " : "") + (l2 > 0 ? "L2 λ=" + l2 : "")
                + (includeBiases ? " (biases included)" : " (weights only)");
    }
}
