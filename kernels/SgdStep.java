package kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGD update of one parameter in one vectorized pass over w, g and v (backprop.optim.Sgd
 * holds the definition). It lives with the kernels so that {@link Warmup} brings it to C2 before
 * training starts: in C1 its Vector API code is not intrinsified and a 100,000-weight layer's
 * update costs milliseconds a step. A large parameter is updated by the pool's threads, each a
 * contiguous slice whose ends fall on whole vectors: every element then takes the path it takes in a
 * one-thread update (the vector loop, or the scalar tail at the very end, whose fma chain differs
 * from a lane's only in the sign of a zero), so the result does not depend on the thread count.
 */
public final class SgdStep {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Elements per part of a parallel update: a part is ~10 µs of work (3-4 floats read and 1-2
     * written per element), well above the pool's dispatch; a smaller parameter runs on the caller.
     */
    static final int PART = 32 * 1024;

    /** One update's arguments, reused by the thread that issues it (no allocation per step). */
    private static final class Slices implements ThreadPool.Task {
        int n;
        float[] w, g, v;
        float lr, mu, l1, l2;

        @Override
        public void run(int part, int parts) {
            // part boundaries on whole vectors, so that only the last part has a scalar tail
            int from = boundary(part, parts), to = part == parts - 1 ? n : boundary(part + 1, parts);
            range(from, to, w, g, v, lr, mu, l1, l2);
        }

        private int boundary(int part, int parts) {
            return (int) ((long) (n / L) * part / parts) * L;
        }
    }

    private static final ThreadLocal<Slices> SLICES = ThreadLocal.withInitial(Slices::new);

    private SgdStep() {}

    /** One parameter's update, w[0..n) in place; {@code v} is null without momentum. */
    public static void update(int n, float[] w, float[] g, float[] v, float lr, float mu, float l1, float l2) {
        ThreadPool pool = ThreadPool.get();
        int parts = pool.runsSerially() ? 1 : Math.min(pool.threads(), n / PART);
        if (parts <= 1) {
            range(0, n, w, g, v, lr, mu, l1, l2);
            return;
        }
        Slices t = SLICES.get();
        t.n = n; t.w = w; t.g = g; t.v = v; t.lr = lr; t.mu = mu; t.l1 = l1; t.l2 = l2;
        try {
            pool.run(t, parts);
        } finally {
            t.w = t.g = t.v = null; // do not keep the caller's arrays alive
        }
    }

    /** The update of w[from..to). */
    static void range(int from, int to, float[] w, float[] g, float[] v, float lr, float mu, float l1, float l2) {
        FloatVector lrV = FloatVector.broadcast(S, -lr), muV = FloatVector.broadcast(S, mu);
        FloatVector l1V = FloatVector.broadcast(S, l1), l2V = FloatVector.broadcast(S, l2), zero = FloatVector.zero(S);
        boolean decay = l1 != 0f || l2 != 0f;
        int i = from;
        for (; Simd.ON && i <= to - L; i += L) {
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
        for (; i < to; i++) {
            float gi = g[i];
            if (decay) gi = Math.fma(w[i], l2, gi) + Math.signum(w[i]) * l1;
            if (v != null) v[i] = gi = Math.fma(v[i], mu, gi);
            w[i] = Math.fma(gi, -lr, w[i]);
        }
    }
}
