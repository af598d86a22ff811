package backprop;

import java.util.SplittableRandom;

/**
 * The classic delta rule for a one-hidden-layer sigmoid network, line for line as the notes write
 * it (no biases, weights as the notes store them: {@code hidden_input = x·weights_input_hidden}).
 * For each record:
 *
 * <pre>
 * hidden_input      = x · W_ih
 * hidden_output     = σ(hidden_input)
 * output            = σ(hidden_output · W_ho)
 * error             = y − output
 * output_error_term = error · output · (1 − output)
 * hidden_error      = output_error_term · W_hoᵀ
 * hidden_error_term = hidden_error · hidden_output · (1 − hidden_output)
 * Δw_ho            += output_error_term · hidden_output
 * Δw_ih            += hidden_error_term · x
 * </pre>
 * then {@code w += η·Δw/m} once per epoch (m = number of records), or after every record (m = 1).
 *
 * <p>This is gradient descent on E = 1/(2m)·Σ(y − ŷ)², so it gives the weights of the general
 * engine configured as Dense(no bias) → Sigmoid → Dense(no bias) → Sigmoid, loss {@code mse_half},
 * plain SGD with learning rate η and a batch of m records (tested).
 */
public final class DeltaRule {
    /** [n_features][n_hidden], the transpose of the engine's Dense weight. */
    public final float[][] weightsInputHidden;
    /** [n_hidden][n_output]. */
    public final float[][] weightsHiddenOutput;
    private final int nFeatures;
    private final int nHidden;
    private final int nOutput;

    /** Weights drawn as the notes do: Normal(0, 1/n_features) for both matrices, from {@code seed}. */
    public DeltaRule(int nFeatures, int nHidden, int nOutput, long seed) {
        this(nFeatures, nHidden, nOutput);
        SplittableRandom rng = new SplittableRandom(seed);
        float scale = (float) (1 / Math.sqrt(nFeatures));
        for (float[] row : weightsInputHidden) tensor.Tensor.fillNormal(row, 0, nHidden, scale, rng);
        for (float[] row : weightsHiddenOutput) tensor.Tensor.fillNormal(row, 0, nOutput, scale, rng);
    }

    /** Zero weights, to be set by the caller. */
    public DeltaRule(int nFeatures, int nHidden, int nOutput) {
        if (nFeatures < 1 || nHidden < 1 || nOutput < 1) {
            throw new IllegalArgumentException("delta rule sizes must be >= 1, got " + nFeatures + "-" + nHidden + "-" + nOutput);
        }
        this.nFeatures = nFeatures;
        this.nHidden = nHidden;
        this.nOutput = nOutput;
        this.weightsInputHidden = new float[nFeatures][nHidden];
        this.weightsHiddenOutput = new float[nHidden][nOutput];
    }

    /** One epoch, the weights updated once at the end: w += η·Δw/m. */
    public void trainEpoch(float[][] features, float[][] targets, float learnRate) {
        check(features, targets);
        float[][] deltaWeightsInputHidden = new float[nFeatures][nHidden];
        float[][] deltaWeightsHiddenOutput = new float[nHidden][nOutput];
        for (int record = 0; record < features.length; record++) {
            accumulate(features[record], targets[record], deltaWeightsInputHidden, deltaWeightsHiddenOutput);
        }
        int nRecords = features.length;
        update(deltaWeightsInputHidden, deltaWeightsHiddenOutput, learnRate, nRecords);
    }

    /** One epoch, the weights updated after every record: w += η·Δw. */
    public void trainPerRecord(float[][] features, float[][] targets, float learnRate) {
        check(features, targets);
        for (int record = 0; record < features.length; record++) {
            float[][] deltaWeightsInputHidden = new float[nFeatures][nHidden];
            float[][] deltaWeightsHiddenOutput = new float[nHidden][nOutput];
            accumulate(features[record], targets[record], deltaWeightsInputHidden, deltaWeightsHiddenOutput);
            update(deltaWeightsInputHidden, deltaWeightsHiddenOutput, learnRate, 1);
        }
    }

    /** The forward pass of one record: output = σ(σ(x·W_ih)·W_ho). */
    public float[] run(float[] x) {
        float[] hiddenOutput = sigmoid(dot(x, weightsInputHidden));
        return sigmoid(dot(hiddenOutput, weightsHiddenOutput));
    }

    private void accumulate(float[] x, float[] y, float[][] deltaWeightsInputHidden, float[][] deltaWeightsHiddenOutput) {
        // forward pass
        float[] hiddenInput = dot(x, weightsInputHidden);
        float[] hiddenOutput = sigmoid(hiddenInput);
        float[] output = sigmoid(dot(hiddenOutput, weightsHiddenOutput));

        // backward pass
        float[] error = new float[nOutput];
        float[] outputErrorTerm = new float[nOutput];
        for (int k = 0; k < nOutput; k++) {
            // error = y − ŷ
            error[k] = y[k] - output[k];
            // output_error_term = error·ŷ(1 − ŷ)
            outputErrorTerm[k] = error[k] * output[k] * (1 - output[k]);
        }
        float[] hiddenError = new float[nHidden];
        float[] hiddenErrorTerm = new float[nHidden];
        for (int j = 0; j < nHidden; j++) {
            // hidden_error = output_error_term·W_hoᵀ
            for (int k = 0; k < nOutput; k++) hiddenError[j] += outputErrorTerm[k] * weightsHiddenOutput[j][k];
            // hidden_error_term = hidden_error·h(1 − h)
            hiddenErrorTerm[j] = hiddenError[j] * hiddenOutput[j] * (1 - hiddenOutput[j]);
        }
        // Δw_ho += output_error_term·hidden_output
        for (int j = 0; j < nHidden; j++) {
            for (int k = 0; k < nOutput; k++) deltaWeightsHiddenOutput[j][k] += outputErrorTerm[k] * hiddenOutput[j];
        }
        // Δw_ih += hidden_error_term·x
        for (int i = 0; i < nFeatures; i++) {
            for (int j = 0; j < nHidden; j++) deltaWeightsInputHidden[i][j] += hiddenErrorTerm[j] * x[i];
        }
    }

    private void update(float[][] deltaWeightsInputHidden, float[][] deltaWeightsHiddenOutput, float learnRate, int nRecords) {
        // w += η·Δw/m
        for (int i = 0; i < nFeatures; i++) {
            for (int j = 0; j < nHidden; j++) weightsInputHidden[i][j] += learnRate * deltaWeightsInputHidden[i][j] / nRecords;
        }
        for (int j = 0; j < nHidden; j++) {
            for (int k = 0; k < nOutput; k++) weightsHiddenOutput[j][k] += learnRate * deltaWeightsHiddenOutput[j][k] / nRecords;
        }
    }

    private static float[] dot(float[] v, float[][] w) {
        float[] out = new float[w[0].length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < out.length; j++) out[j] += v[i] * w[i][j];
        }
        return out;
    }

    private static float[] sigmoid(float[] h) {
        float[] out = new float[h.length];
        // σ(h) = 1/(1 + e^{−h})
        for (int j = 0; j < h.length; j++) out[j] = (float) (1 / (1 + Math.exp(-h[j])));
        return out;
    }

    private void check(float[][] features, float[][] targets) {
        if (features.length != targets.length || features.length == 0) {
            throw new IllegalArgumentException("delta rule: " + features.length + " records but " + targets.length + " targets");
        }
        for (int r = 0; r < features.length; r++) {
            if (features[r].length != nFeatures || targets[r].length != nOutput) {
                throw new IllegalArgumentException("delta rule: record " + r + " has " + features[r].length + " features and "
                        + targets[r].length + " targets; the network is " + nFeatures + "-" + nHidden + "-" + nOutput);
            }
        }
    }
}
