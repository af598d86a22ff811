package backprop.optim;

import backprop.Network;
import backprop.Optimizer;
import backprop.Parameter;
import java.util.List;
import kernels.SgdStep;
import tensor.Tensor;

/**
 * Stochastic gradient descent, with heavy-ball momentum and L1/L2 penalties, as PyTorch's SGD
 * (dampening 0, not Nesterov). For each unfrozen parameter w with gradient g:
 *
 * <pre>
 * g ← g + λ₂·w + λ₁·sign(w)          (weights only, unless the regularization includes biases)
 * v ← μ·v + g                         (v starts at 0, so the first step has v = g, as PyTorch)
 * w ← w − lr·v                        (with μ = 0: w ← w − lr·g)
 * </pre>
 *
 * All three lines run in one vectorized pass over w, g and v ({@link SgdStep}); nothing is allocated per step.
 * Minibatch, full-batch and per-record (stochastic) updates differ only in the batch the gradient
 * came from: see {@link backprop.Trainer}.
 */
public final class Sgd implements Optimizer {
    private final List<Parameter> params;
    private final float[][] velocity;
    private float learningRate;
    private float momentum;
    private Regularization regularization = Regularization.NONE;

    /** Plain SGD over every parameter of {@code network}. */
    public Sgd(Network network, float learningRate) {
        this(network.parameters(), learningRate);
    }

    public Sgd(List<Parameter> params, float learningRate) {
        this.params = List.copyOf(params);
        this.velocity = new float[this.params.size()][];
        setLearningRate(learningRate);
    }

    /** Heavy-ball momentum μ in [0, 1). */
    public Sgd momentum(float mu) {
        if (!(mu >= 0f && mu < 1f)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + mu);
        this.momentum = mu;
        for (int i = 0; i < params.size(); i++) {
            if (mu > 0f && velocity[i] == null) velocity[i] = new float[params.get(i).size()];
        }
        return this;
    }

    public Sgd regularization(Regularization r) {
        this.regularization = r;
        return this;
    }

    public float momentum() { return momentum; }
    public Regularization regularization() { return regularization; }

    @Override
    public float learningRate() { return learningRate; }

    @Override
    public void setLearningRate(float learningRate) {
        if (!(learningRate > 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** The velocity v of parameter {@code name} (zeros before the first step, null without momentum). */
    public Tensor velocity(String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name().equals(name)) return velocity[i] == null ? null : Tensor.of(velocity[i], params.get(i).value().shape());
        }
        throw new IllegalArgumentException("no parameter named '" + name + "' in this optimizer");
    }

    @Override
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            if (p.frozen()) continue;
            boolean reg = regularization.appliesTo(p);
            SgdStep.update(p.size(), p.value().data(), p.gradient().data(), velocity[i],
                    learningRate, momentum, reg ? regularization.l1() : 0f, reg ? regularization.l2() : 0f);
        }
    }

    @Override
    public String toString() {
        return "SGD lr=" + learningRate + (momentum > 0 ? " momentum=" + momentum : "")
                + (regularization.isNone() ? "" : " " + regularization);
    }
}
