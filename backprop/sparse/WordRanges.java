package backprop.sparse;

/**
 * The split of a sparse update across threads: part p owns the words {@code [split[p], split[p+1])}
 * and updates only their rows, so no two parts write the same row, and each row receives its terms
 * in batch-row order whatever the number of parts: the weights do not depend on the thread count.
 * A batch row's words are ascending, so a part's entries in row r are one run of the row,
 * {@code [from[p·rows + r], to[p·rows + r])}, found by binary search: no test per entry.
 *
 * <p>The boundaries follow the batch's words, not the vocabulary: with Zipf-distributed words, an
 * even split of the vocabulary would give the part of the common words most of the work. Boundary
 * j is the median, over the batch rows, of the word at fraction j/parts of each row, so rows of
 * similar length are split evenly (one long row among short ones is not). Buffers grow and are
 * reused; nothing is allocated per step.
 */
final class WordRanges {
    int[] split = new int[2];
    int[] from = new int[0];
    int[] to = new int[0];
    private int[] candidates = new int[0];

    /** Splits the words of {@code x} (a vocabulary of {@code in}) into {@code parts} ranges cut at per-row medians (see the class comment). */
    void split(SparseBatch x, int in, int parts) {
        int rows = x.rows();
        reserve(parts, rows);
        int[] ptr = x.rowPointers(), idx = x.indices();
        split[0] = 0;
        split[parts] = in;
        for (int j = 1; j < parts; j++) {
            int n = 0;
            for (int r = 0; r < rows; r++) {
                int len = ptr[r + 1] - ptr[r];
                if (len > 0) candidates[n++] = idx[ptr[r] + (int) ((long) len * j / parts)];
            }
            split[j] = n == 0 ? split[j - 1] : Math.max(split[j - 1], select(candidates, n, n / 2));
        }
    }

    /** Finds part {@code part}'s run of entries in every row of {@code x}, after {@link #split}. */
    void locate(SparseBatch x, int part) {
        int rows = x.rows(), base = part * rows;
        int[] ptr = x.rowPointers(), idx = x.indices();
        for (int r = 0; r < rows; r++) {
            int start = firstAtLeast(idx, ptr[r], ptr[r + 1], split[part]);
            from[base + r] = start;
            to[base + r] = firstAtLeast(idx, start, ptr[r + 1], split[part + 1]);
        }
    }

    /**
     * The k-th smallest of {@code a[0, n)}, reordering it in place (quickselect, middle pivot): O(n)
     * expected and no allocation, where {@code Arrays.sort} allocated on some inputs (long runs).
     */
    static int select(int[] a, int n, int k) {
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            int pivot = a[(lo + hi) >>> 1], i = lo, j = hi;
            // Hoare partition: a[lo..j] ≤ pivot ≤ a[i..hi]
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    int t = a[i]; a[i] = a[j]; a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    /** The first position in {@code idx[lo, hi)} (ascending) holding a value ≥ {@code word}, or hi. */
    static int firstAtLeast(int[] idx, int lo, int hi, int word) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (idx[mid] < word) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void reserve(int parts, int rows) {
        if (split.length < parts + 1) split = new int[parts + 1];
        if (from.length < parts * rows) {
            from = new int[Math.max(parts * rows, 2 * from.length)];
            to = new int[from.length];
        }
        if (candidates.length < rows) candidates = new int[Math.max(rows, 2 * candidates.length)];
    }
}
