package backprop.sparse;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shape of the sparse layer's loops ({@link WordRowSums}, {@link WordRowUpdates}): the
 * machine's preferred one, or forced with {@code -Dnabla.sparse.vector=128|256|512} (the test suite
 * runs {@code SparseDenseWidthTest} at each; a shape wider than the machine's runs emulated, much
 * slower).
 */
final class SparseVectors {
    static final VectorSpecies<Float> S = species(System.getProperty("nabla.sparse.vector", "auto").trim());
    /** Floats per vector. */
    static final int L = S.length();

    // One float species per process. On JDK 17 a second one (a 128-bit species, tried for widening
    // the lazy catch-up's floats to 256-bit doubles) made the forward's 256-bit loads and adds fall
    // back to boxed vectors: 236 KB allocated a review, several times slower. The shared Vector API
    // code they run through then sees two vector classes in its type profiles
    // (bench/results/dev-2026-11-22/sparse-catchup-species128.txt). The pom's width runs of
    // SparseDenseWidthTest (-Dnabla.sparse.vector=128 or 512 beside the engine's preferred species
    // elsewhere) are such a process: their results are right, their speed is not this layer's.

    private SparseVectors() {}

    private static VectorSpecies<Float> species(String bits) {
        return switch (bits) {
            case "auto" -> FloatVector.SPECIES_PREFERRED;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("nabla.sparse.vector must be auto, 128, 256 or 512, got '" + bits + "'");
        };
    }
}
