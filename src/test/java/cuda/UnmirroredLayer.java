package cuda;

import backprop.layers.AbstractLayer;
import tensor.Tensor;

/** A layer of the caller's own (the identity), which no GPU kernel mirrors: the tests' way to reach "no GPU version". */
public final class UnmirroredLayer extends AbstractLayer {
    public UnmirroredLayer() {
        super("identity");
    }

    @Override
    public int outputFeatures(int inputFeatures) {
        return inputFeatures;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return x;
    }

    @Override
    public Tensor backward(Tensor g) {
        return g;
    }
}
