package backprop;

/**
 * Updates a network's parameters from the gradients of the last backward pass. Frozen
 * parameters are skipped; their state (velocity) is kept. A step allocates nothing.
 */
public interface Optimizer {
    /** One update of every unfrozen parameter from its current gradient. */
    void step();

    float learningRate();

    /** Sets the learning rate for the next steps (what a learning-rate schedule calls). */
    void setLearningRate(float learningRate);
}
