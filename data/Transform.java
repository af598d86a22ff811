package data;

import java.util.random.RandomGenerator;

/**
 * An augmentation: changes one image in place, drawing its randomness from {@code rng} (seeded
 * per epoch and per example by the Loader, so runs repeat). The image is
 * {@code image[off, off + shape.size())} in CHW order, values in [0, 1]; {@code scratch} holds
 * at least {@code shape.size()} floats the transform may use. It must not allocate.
 */
@FunctionalInterface
public interface Transform {
    void apply(float[] image, int off, ImageShape shape, RandomGenerator rng, float[] scratch);

    /** This transform, then {@code next}. */
    default Transform then(Transform next) {
        Transform first = this;
        return (image, off, shape, rng, scratch) -> {
            first.apply(image, off, shape, rng, scratch);
            next.apply(image, off, shape, rng, scratch);
        };
    }
}
