package data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --balance oversample}: every class appears as often as the largest, every example is seen, the order is seeded. */
class OversamplingTest {
    /** The digits' training set with class 3 cut to its first 5%. */
    static Dataset unbalanced() {
        Dataset train = Digits.split().train();
        int keep = (int) Math.round(0.05 * train.classCounts()[3]);
        List<Integer> rows = new ArrayList<>();
        int seen3 = 0;
        for (int i = 0; i < train.size(); i++) {
            if (train.labels()[i] == 3 && seen3++ >= keep) continue;
            rows.add(i);
        }
        return train.subset("digits, class 3 at 5%", rows.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void eachEpochHoldsEveryClassAsOftenAsTheLargestAndEveryExampleAtLeastOnce() {
        Dataset d = unbalanced();
        int[] counts = d.classCounts();
        int max = java.util.Arrays.stream(counts).max().getAsInt();
        assertTrue(counts[3] < max / 10, "the cut class is rare: " + java.util.Arrays.toString(counts));
        Loader loader = new Loader(d, 32, true, 42, null, null, new Oversampling(d.labels(), d.numClasses()));
        assertEquals(10 * max, loader.epochLength());
        for (int e = 0; e < 3; e++) {
            int[] perClass = new int[d.numClasses()];
            int[] perExample = new int[d.size()];
            loader.startEpoch(e);
            while (loader.next()) {
                for (int r = 0; r < loader.size(); r++) {
                    perClass[loader.y()[r]]++;
                    perExample[loader.indices()[r]]++;
                }
            }
            for (int c = 0; c < d.numClasses(); c++) assertEquals(max, perClass[c], "class " + c + " in epoch " + e);
            for (int i = 0; i < d.size(); i++) assertTrue(perExample[i] >= 1, "example " + i + " never seen in epoch " + e);
            // a rare example is drawn again only after its whole class: counts differ by at most one within a class
            int lo = Integer.MAX_VALUE, hi = 0;
            for (int i = 0; i < d.size(); i++) {
                if (d.labels()[i] != 3) continue;
                lo = Math.min(lo, perExample[i]);
                hi = Math.max(hi, perExample[i]);
            }
            assertTrue(hi - lo <= 1, "class 3 drawn between " + lo + " and " + hi + " times");
        }
    }

    @Test
    void theOrderIsAFunctionOfSeedAndEpoch() {
        Dataset d = unbalanced();
        Oversampling o = new Oversampling(d.labels(), d.numClasses());
        int[] a = new int[o.epochLength()], b = new int[o.epochLength()], c = new int[o.epochLength()], e1 = new int[o.epochLength()];
        o.order(7, 0, a);
        new Oversampling(d.labels(), d.numClasses()).order(7, 0, b);
        o.order(8, 0, c);
        o.order(7, 1, e1);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        assertFalse(java.util.Arrays.equals(a, e1));
    }

    @Test
    void balancedDataIsLeftAsItIs() {
        int[] labels = {0, 1, 2, 0, 1, 2};
        Oversampling o = new Oversampling(labels, 3);
        assertEquals(6, o.epochLength());
        int[] order = new int[6];
        o.order(1, 0, order);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, java.util.Arrays.stream(order).sorted().toArray());
    }
}
