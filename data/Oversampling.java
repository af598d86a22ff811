package data;

import backprop.Shuffle;

/**
 * Oversampling of the rarer classes: each epoch visits every example once and, for each class c
 * with n_c examples, draws max − n_c more of its examples, so every class present appears max
 * times (max: the largest class count). The extra draws go round a seeded shuffle of the class's
 * members, so an example is drawn again only after all of its class have been; the whole epoch
 * is then shuffled. Every draw is a function of (seed, epoch).
 */
public final class Oversampling {
    private static final long STREAM = 6;

    private final int[][] members;  // the example indices of each class
    private final int size;
    private final int epochLength;
    private final int target;
    private final Rng rng = new Rng(0);

    public Oversampling(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int y : labels) counts[y]++;
        members = new int[numClasses][];
        int max = 0, present = 0;
        for (int c = 0; c < numClasses; c++) {
            members[c] = new int[counts[c]];
            max = Math.max(max, counts[c]);
            if (counts[c] > 0) present++;
        }
        int[] at = new int[numClasses];
        for (int i = 0; i < labels.length; i++) members[labels[i]][at[labels[i]]++] = i;
        this.size = labels.length;
        this.target = max;
        // classes · max: each present class as often as the largest
        this.epochLength = present * max;
    }

    /** Examples visited per epoch: (classes present) · (largest class count). */
    public int epochLength() { return epochLength; }

    /** How often each class appears in an epoch: the largest class count. */
    public int perClass() { return target; }

    /** Writes epoch {@code e}'s order (length {@link #epochLength}) into {@code order}. */
    public void order(long seed, int e, int[] order) {
        rng.seed(Rng.mix(seed, STREAM, e));
        for (int i = 0; i < size; i++) order[i] = i;
        int k = size;
        for (int[] m : members) {
            int extra = m.length == 0 ? 0 : target - m.length;
            int[] round = m.clone();
            for (int d = 0; d < extra; d++) {
                int r = d % m.length;
                // a new round of draws starts from a fresh shuffle of the class
                if (r == 0) Shuffle.fisherYates(round, round.length, rng);
                order[k++] = round[r];
            }
        }
        Shuffle.fisherYates(order, epochLength, rng);
    }
}
