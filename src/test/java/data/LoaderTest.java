package data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

class LoaderTest {
    /** n examples of 2x2 images; example i has all pixels i/100 and label i % 3. */
    private static Dataset toy(int n) {
        Tensor x = Tensor.zeros(n, 4);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) x.set(i / 100f, i, j);
            y[i] = i % 3;
        }
        return new Dataset("toy", x, y, 3, new ImageShape(1, 2, 2), null);
    }

    private static List<Integer> epochOrder(Loader l, int epoch) {
        List<Integer> seen = new ArrayList<>();
        l.startEpoch(epoch);
        while (l.next()) for (int i = 0; i < l.size(); i++) seen.add(l.indices()[i]);
        return seen;
    }

    @Test
    void everyExampleOnceWithAPartialLastBatch() {
        Dataset d = toy(10);
        Loader l = new Loader(d, 4, true, 7, null, null);
        assertEquals(3, l.batches());
        l.startEpoch(0);
        int[] sizes = new int[3];
        boolean[] seen = new boolean[10];
        for (int b = 0; b < 3; b++) {
            assertTrue(l.next());
            sizes[b] = l.size();
            assertEquals(l.size(), l.x().dim(0));
            assertEquals(l.size(), l.y().length);
            for (int r = 0; r < l.size(); r++) {
                int ex = l.indices()[r];
                assertFalse(seen[ex], "example " + ex + " twice");
                seen[ex] = true;
                assertEquals(d.labels()[ex], l.y()[r]);
                assertEquals(ex / 100f, l.x().get(r, 3));
            }
        }
        assertFalse(l.next());
        assertArrayEquals(new int[] {4, 4, 2}, sizes);
        assertTrue(l.partial());
        for (boolean s : seen) assertTrue(s);
    }

    @Test
    void orderIsAFunctionOfSeedAndEpoch() {
        Dataset d = toy(50);
        Loader a = new Loader(d, 8, true, 1, null, null);
        Loader b = new Loader(d, 8, true, 1, null, null);
        List<Integer> a0 = epochOrder(a, 0);
        List<Integer> a1 = epochOrder(a, 1);
        assertNotEquals(a0, a1, "each epoch reshuffles");
        // b starts at epoch 1 (a resumed run): the same order as a's epoch 1.
        assertEquals(a1, epochOrder(b, 1));
        assertEquals(a0, epochOrder(b, 0));
        assertNotEquals(a0, epochOrder(new Loader(d, 8, true, 2, null, null), 0), "another seed, another order");
        List<Integer> identity = new ArrayList<>();
        for (int i = 0; i < 50; i++) identity.add(i);
        assertEquals(identity, epochOrder(new Loader(d, 8, false, 1, null, null), 3), "no shuffle keeps dataset order");
    }

    @Test
    void normalizesAfterAugmenting() {
        Dataset d = toy(6);
        Normalization n = Normalization.scalar(4, 0.02f, 0.5f);
        Loader l = new Loader(d, 6, false, 0, n, Augment.brightness(0)); // a zero-delta augmentation keeps the values
        l.startEpoch(0);
        assertTrue(l.next());
        for (int r = 0; r < 6; r++) {
            // (i/100 − 0.02) / 0.5, with 1/0.5 = 2 exact: float rounding of one subtract, ~1e-8.
            assertEquals((r / 100f - 0.02f) * 2f, l.x().get(r, 0), 1e-7f);
        }
        assertEquals(0f, d.features().get(2, 0) - 0.02f, 1e-7f, "the dataset itself is not changed");
    }

    @Test
    void normalizingOnceEqualsNormalizingEachBatch() {
        Dataset d = Digits.load();
        Normalization n = Normalization.perFeature(d);
        Loader once = new Loader(d, 50, true, 9, n, null);               // pre-normalized copy
        Loader each = new Loader(d, 50, true, 9, n, Augment.brightness(0)); // per batch, after a no-op augmentation
        once.startEpoch(4);
        each.startEpoch(4);
        while (once.next()) {
            assertTrue(each.next());
            assertArrayEquals(each.indices(), once.indices());
            assertArrayEquals(each.x().data(), once.x().data(), "the same float operations: bitwise equal");
        }
        assertEquals(1f / 16f, d.features().get(0, 2) - 4f / 16f, 0f, "the dataset is not modified");
    }

    @Test
    void noNormalizationGathersTheDatasetItselfWithoutACopy() {
        Dataset d = Digits.load();
        Normalization global = Normalization.global(d), identity = Normalization.byName("none", d);
        assertTrue(identity.isIdentity());
        assertTrue(Normalization.scalar(64, 0f, 1f).isIdentity());
        assertFalse(global.isIdentity());
        assertFalse(Normalization.of(new float[] {0f, 0f}, new float[] {1f, 0.5f}).isIdentity());
        assertFalse(Normalization.of(new float[] {-0f}, new float[] {1f}).isIdentity(), "x − (−0) turns −0 into +0");
        Loader none = new Loader(d, 50, true, 9, identity, null);
        Loader plain = new Loader(d, 50, true, 9, null, null);
        // the identity's (x − 0)·1 = x exactly, so skipping it changes no bit; the copy it skips is the whole training set
        long features = 4L * d.features().size();
        assertTrue(allocatedBy(() -> new Loader(d, 50, true, 9, global, null)) >= features, "a normalizing loader copies the features");
        assertTrue(allocatedBy(() -> new Loader(d, 50, true, 9, identity, null)) < features / 4, "--normalize none copies nothing");
        none.startEpoch(2);
        plain.startEpoch(2);
        while (plain.next()) {
            assertTrue(none.next());
            assertArrayEquals(plain.x().data(), none.x().data());
        }
    }

    /** Bytes this thread allocates while running {@code r}. */
    private static long allocatedBy(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        r.run();
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void globalAndPerFeatureNormalizationHaveZeroMeanUnitStd() {
        Dataset d = Digits.load();
        Normalization g = Normalization.global(d);
        Normalization p = Normalization.perFeature(d);
        double[] sum = new double[2];
        double[] sq = new double[2];
        float[] row = new float[64];
        int column = 20; // a pixel that varies across the digits
        for (int i = 0; i < d.size(); i++) {
            System.arraycopy(d.features().data(), i * 64, row, 0, 64);
            float[] r2 = row.clone();
            g.apply(row, 0);
            p.apply(r2, 0);
            for (float v : row) {
                sum[0] += v;
                sq[0] += v * v;
            }
            sum[1] += r2[column];
            sq[1] += r2[column] * r2[column];
        }
        long n = 64L * d.size();
        // Means and stds are computed in double and applied in float: 1e-5 covers float rounding over 115k values.
        assertEquals(0, sum[0] / n, 1e-5);
        assertEquals(1, sq[0] / n, 1e-5);
        assertEquals(0, sum[1] / d.size(), 1e-5);
        assertEquals(1, sq[1] / d.size(), 1e-5);
        // A constant pixel (column 0 is always 0 in the digits) is centred but not divided by ~0.
        assertEquals(1f, p.invStd()[0]);
    }

    @Test
    void oneHotMatchesLabels() {
        Loader l = new Loader(toy(5), 2, false, 0, null, null);
        l.startEpoch(0);
        l.next();
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, l.oneHot().data());
        l.next();
        l.next();
        assertArrayEquals(new int[] {1, 3}, l.oneHot().shape());
        assertEquals(1f, l.oneHot().get(0, 1)); // example 4, label 1
        assertThrows(IllegalArgumentException.class, () -> Loader.oneHot(new int[] {3}, Tensor.zeros(1, 3)));
    }

    @Test
    void augmentationIsSeededPerEpochAndExample() {
        Dataset d = Digits.load();
        Transform aug = Augment.compose(Augment.horizontalFlip(0.5), Augment.rotateTranslate(10, 1), Augment.brightness(0.1));
        Loader a = new Loader(d, 32, true, 5, null, aug);
        Loader b = new Loader(d, 100, true, 5, null, aug); // another batch size: the same example gets the same draws
        a.startEpoch(2);
        a.next();
        float[] rowA = Arrays.copyOf(a.x().data(), 64);
        int example = a.indices()[0];
        b.startEpoch(2);
        b.next();
        // Same seed and epoch, so the same order: the example is first in both.
        assertEquals(example, b.indices()[0]);
        assertArrayEquals(rowA, Arrays.copyOf(b.x().data(), 64));
        // Another epoch draws another augmentation for it.
        b.startEpoch(3);
        while (b.next()) {
            for (int r = 0; r < b.size(); r++) {
                if (b.indices()[r] == example) {
                    assertFalse(Arrays.equals(rowA, Arrays.copyOfRange(b.x().data(), r * 64, r * 64 + 64)));
                }
            }
        }
        // and the augmentation did change it
        assertFalse(Arrays.equals(rowA, Arrays.copyOfRange(d.features().data(), example * 64, example * 64 + 64)));
    }

    @Test
    void noAllocationPerBatchAfterTheFirstEpoch() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Dataset d = Digits.load();
        Transform aug = Augment.compose(Augment.horizontalFlip(0.5), Augment.rotateTranslate(10, 1), Augment.brightness(0.1));
        Loader l = new Loader(d, 64, true, 3, Normalization.global(d), aug);
        float checksum = 0;
        for (int e = 0; e < 2; e++) {
            l.startEpoch(e);
            while (l.next()) checksum += l.x().data()[0] + l.oneHot().data()[0];
        }
        // the steady state: run alone, the loop is still interpreted or in C1 (no escape analysis) after two epochs, so
        // measure rounds of 3 epochs until C2 has it, at most 20 s (it used to fail when run by itself)
        long allocated = Long.MAX_VALUE, deadline = System.nanoTime() + 20_000_000_000L;
        for (int e = 2; allocated >= 1024 && System.nanoTime() < deadline; ) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int end = e + 3; e < end; e++) {
                l.startEpoch(e);
                while (l.next()) checksum += l.x().data()[0] + l.y()[0] + l.oneHot().data()[0];
            }
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
        }
        // 3 epochs × 29 batches: zero bytes are expected (and measured: 0 on JDK 17); the bound leaves room only for the
        // measurement itself, far below one 64×64-float batch (16 KiB).
        assertTrue(allocated < 1024, allocated + " bytes allocated in 3 epochs (checksum " + checksum + ")");
        assertSame(l.x(), l.x());
    }

    @Test
    void badConfigurationsAreRefused() {
        Dataset tabular = new Dataset("tab", Tensor.zeros(3, 2), new int[3], 1, null, null);
        assertThrows(IllegalArgumentException.class, () -> new Loader(tabular, 0, true, 0, null, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Loader(tabular, 2, true, 0, null, Augment.horizontalFlip(0.5)));
        assertTrue(e.getMessage().contains("no image shape"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Loader(tabular, 2, true, 0, Normalization.identity(3), null));
        assertThrows(IllegalStateException.class, () -> new Loader(tabular, 2, true, 0, null, null).next());
    }
}
