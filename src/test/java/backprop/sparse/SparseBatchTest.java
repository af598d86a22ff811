package backprop.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SparseBatchTest {
    @Test
    void rowsAreStoredAsCsr() {
        SparseBatch b = new SparseBatch(10, false);
        b.addRow(new int[] {2, 7, 9}, new float[] {1, 2, 1}, 0, 3);
        b.addRow(new int[] {5, 0, 7}, new float[] {9, 3, 1}, 1, 2);
        assertEquals(2, b.rows());
        assertEquals(5, b.nonZeros());
        assertArrayEquals(new int[] {0, 3, 5}, java.util.Arrays.copyOf(b.rowPointers(), 3));
        assertArrayEquals(new int[] {2, 7, 9, 0, 7}, java.util.Arrays.copyOf(b.indices(), 5));
        assertArrayEquals(new float[] {1, 2, 1, 3, 1}, java.util.Arrays.copyOf(b.values(), 5));
        float[] dense = new float[10];
        b.densifyRow(1, dense, 0);
        assertArrayEquals(new float[] {3, 0, 0, 0, 0, 0, 0, 1, 0, 0}, dense);
    }

    @Test
    void buffersAreReusedOnceTheLargestBatchWasSeen() {
        SparseBatch src = SparseFixtures.batch(3, 200, 1000, 1000, 300, true);
        SparseBatch b = new SparseBatch(1000, true);
        for (int r = 0; r < 200; r++) b.addRow(src, r);
        int[] ptr = b.rowPointers(), idx = b.indices();
        for (int round = 0; round < 3; round++) {
            b.clear();
            for (int r = 0; r < 200; r++) b.addRow(src, (r * 7 + round) % 200);
            assertSame(ptr, b.rowPointers());
            assertSame(idx, b.indices());
        }
    }

    @Test
    void badRowsAreRefused() {
        SparseBatch b = new SparseBatch(10, true);
        assertMessage(() -> b.addRow(new int[] {3, 10}, null, 0, 2), "column 10 is outside [0, 10)");
        assertMessage(() -> b.addRow(new int[] {-1}, null, 0, 1), "column -1");
        assertMessage(() -> b.addRow(new int[] {4, 4}, null, 0, 2), "strictly ascending, got 4 then 4");
        assertMessage(() -> b.addRow(new int[] {1}, new float[] {1}, 0, 1), "binary batch takes no values");
        SparseBatch v = new SparseBatch(10, false);
        assertMessage(() -> v.addRow(new int[] {1, 2}, new float[] {1, Float.NaN}, 0, 2), "value NaN at column 2");
        assertMessage(() -> b.addRow(v, 0), "cannot copy a row");
        assertMessage(() -> new SparseBatch(0, true), "cols must be >= 1");
        assertEquals(0, b.rows(), "a refused row leaves the batch as it was");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }
}
