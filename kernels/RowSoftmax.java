package kernels;

/**
 * Row-wise softmax and log-sum-exp, the one implementation under the Softmax and LogSoftmax
 * layers and the softmax cross-entropy loss. Each row is shifted by its maximum, so e^{z−max} ≤ 1
 * cannot overflow; exp is {@link Activations#exp(float)} (Cephes, ~2 ulp); sums run in float in
 * index order, so a row's result is reproducible bit for bit. The {@code Ref} twins compute the
 * definitions in double.
 */
public final class RowSoftmax {
    private RowSoftmax() {}

    /** max_j z[off + j] over a row of {@code k}. */
    public static float max(float[] z, int off, int k) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) max = Math.max(max, z[off + j]);
        return max;
    }

    /** Σ_j e^{z_j − max} over a row, nothing stored (log-softmax needs only the sum). */
    public static float sumExp(float[] z, int off, float max, int k) {
        float sum = 0f;
        for (int j = 0; j < k; j++) sum += Activations.exp(z[off + j] - max);
        return sum;
    }

    /**
     * y = softmax(z) for one row: y_j = e^{z_j − max} / Σ_i e^{z_i − max}. Returns that Σ, so that
     * log Σ_j e^{z_j} = max + log Σ ({@link #logSumExp}).
     */
    public static float softmax(float[] z, int zOff, float max, float[] y, int yOff, int k) {
        float sum = 0f;
        for (int j = 0; j < k; j++) {
            // e^{z_j − max}
            y[yOff + j] = Activations.exp(z[zOff + j] - max);
            sum += y[yOff + j];
        }
        float inv = 1f / sum;
        // y_j = e^{z_j − max} / Σ
        for (int j = 0; j < k; j++) y[yOff + j] *= inv;
        return sum;
    }

    /** log Σ_j e^{z_j} = max + log Σ_j e^{z_j − max}, from a row's max and {@link #sumExp}. */
    public static double logSumExp(float max, float sumExp) {
        return max + Math.log(sumExp);
    }

    // ---------------------------------------------------------------- Ref twins

    /** softmax of a row from the definition, in double, rounded once. */
    public static void softmaxRef(float[] z, int zOff, float[] y, int yOff, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < k; j++) max = Math.max(max, z[zOff + j]);
        for (int j = 0; j < k; j++) sum += Math.exp(z[zOff + j] - max);
        for (int j = 0; j < k; j++) y[yOff + j] = (float) (Math.exp(z[zOff + j] - max) / sum);
    }

    /** log Σ_j e^{z_j} of a row from the definition, in double. */
    public static double logSumExpRef(float[] z, int off, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < k; j++) max = Math.max(max, z[off + j]);
        for (int j = 0; j < k; j++) sum += Math.exp(z[off + j] - max);
        return max + Math.log(sum);
    }
}
