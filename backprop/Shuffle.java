package backprop;

import java.util.random.RandomGenerator;

/** The one shuffle of the project (Fisher–Yates): every training order, split and fold draws through it. */
public final class Shuffle {
    private Shuffle() {}

    /** Puts 0..n-1 into {@code order[0, n)} in the order drawn from {@code rng} (data order when null). */
    public static void order(int[] order, int n, RandomGenerator rng) {
        for (int i = 0; i < n; i++) order[i] = i;
        if (rng != null) fisherYates(order, n, rng);
    }

    /** Shuffles {@code a[0, n)} in place: each of the n! orders equally likely. */
    public static void fisherYates(int[] a, int n, RandomGenerator rng) {
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Draws {@code k} of {@code a[0, n)} without replacement into {@code a[0, k)} (a partial Fisher–Yates from the front). */
    public static void firstK(int[] a, int n, int k, RandomGenerator rng) {
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
