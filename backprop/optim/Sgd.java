package backprop.optim;

import backprop.Network;
import backprop.Optimizer;
import backprop.Parameter;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import kernels.Simd;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * All three lines run in one vectorized pass over w, g and v; nothing is allocated per step.
 * Minibatch, full-batch and per-record (stochastic) updates differ only in the batch the gradient
 * came from: see {@link backprop.Trainer}.
 */
public final class Sgd implements Optimizer {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

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
            update(p.size(), p.value().data(), p.gradient().data(), velocity[i],
                    learningRate, momentum, reg ? regularization.l1() : 0f, reg ? regularization.l2() : 0f);
        }
    }

    /** One parameter's update, vectorized; {@code v} is null without momentum. */
    static void update(int n, float[] w, float[] g, float[] v, float lr, float mu, float l1, float l2) {
        FloatVector lrV = FloatVector.broadcast(S, -lr), muV = FloatVector.broadcast(S, mu);
        FloatVector l1V = FloatVector.broadcast(S, l1), l2V = FloatVector.broadcast(S, l2), zero = FloatVector.zero(S);
        boolean decay = l1 != 0f || l2 != 0f;
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector wv = FloatVector.fromArray(S, w, i);
            FloatVector gv = FloatVector.fromArray(S, g, i);
            if (decay) {
                // g ← g + λ₂·w + λ₁·sign(w)
                FloatVector sign = zero.blend(1f, wv.compare(VectorOperators.GT, 0f)).blend(-1f, wv.compare(VectorOperators.LT, 0f));
                gv = wv.fma(l2V, gv).add(sign.mul(l1V));
            }
            if (v != null) {
                // v ← μ·v + g
                gv = FloatVector.fromArray(S, v, i).fma(muV, gv);
                gv.intoArray(v, i);
            }
            // w ← w − lr·v
            gv.fma(lrV, wv).intoArray(w, i);
        }
        for (; i < n; i++) {
            float gi = g[i];
            if (decay) gi = Math.fma(w[i], l2, gi) + Math.signum(w[i]) * l1;
            if (v != null) v[i] = gi = Math.fma(v[i], mu, gi);
            w[i] = Math.fma(gi, -lr, w[i]);
        }
    }

    @Override
    public String toString() {
        return "SGD lr=" + learningRate + (momentum > 0 ? " momentum=" + momentum : "")
                + (regularization.isNone() ? "" : " " + regularization);
    }
}
