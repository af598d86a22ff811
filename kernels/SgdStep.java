package kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGD update of one parameter in one vectorized pass over w, g and v (backprop.optim.Sgd
 * holds the definition). It lives with the kernels so that {@link Warmup} brings it to C2 before
 * training starts: in C1 its Vector API code is not intrinsified and a 100,000-weight layer's
 * update costs milliseconds a step.
 */
public final class SgdStep {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SgdStep() {}

    /** One parameter's update, w[0..n) in place; {@code v} is null without momentum. */
    public static void update(int n, float[] w, float[] g, float[] v, float lr, float mu, float l1, float l2) {
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
}
