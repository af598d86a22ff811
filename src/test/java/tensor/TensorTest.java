package tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void viewsShareStorage() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor r = t.row(1);
        assertArrayEquals(new int[] {3}, r.shape());
        assertEquals(4f, r.get(1));
        r.set(40f, 1);
        assertEquals(40f, t.get(1, 1));
        assertSame(t.data(), r.data());

        Tensor rs = t.reshape(3, -1);
        assertArrayEquals(new int[] {3, 2}, rs.shape());
        assertEquals(40f, rs.get(2, 0));

        Tensor tt = t.transpose();
        assertTrue(tt.transposed());
        assertArrayEquals(new int[] {3, 2}, tt.shape());
        assertEquals(t.get(0, 2), tt.get(2, 0));
        assertEquals(3, tt.ld());
        assertSame(t.data(), tt.data());
        assertFalse(tt.transpose().transposed());
        assertArrayEquals(new float[] {0, 3, 1, 40, 2, 5}, tt.copy().data());
    }

    @Test
    void aTransposedViewIsAGemmFlag() {
        // W is [out=2][in=3]; h = x·Wᵀ with x = [1][3]: the view's flag and ld are sgemm's arguments.
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor wt = w.transpose();
        Tensor x = Tensor.of(new float[] {1, 0, -1}, 1, 3), h = Tensor.zeros(1, 2);
        kernels.Sgemm.sgemm(false, wt.transposed(), 1, wt.dim(1), wt.dim(0), 1f, x.data(), x.offset(), x.ld(),
                wt.data(), wt.offset(), wt.ld(), 0f, h.data(), h.offset(), h.ld());
        assertArrayEquals(new float[] {1 - 3, 4 - 6}, h.data());
    }

    @Test
    void rowsSliceAMinibatch() {
        Tensor t = Tensor.zeros(5, 2);
        for (int i = 0; i < 10; i++) t.data()[i] = i;
        Tensor b = t.rows(2, 4);
        assertArrayEquals(new int[] {2, 2}, b.shape());
        assertEquals(4, b.offset());
        assertEquals(7f, b.get(1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.rows(3, 6));
    }

    @Test
    void randnIsSeededAndHasTheRightScale() {
        Tensor a = Tensor.randn(42, 0.5f, 100, 100), b = Tensor.randn(42, 0.5f, 100, 100);
        assertArrayEquals(a.data(), b.data());
        double s = 0, s2 = 0;
        for (float v : a.data()) { s += v; s2 += v * v; }
        double mean = s / 10000, std = Math.sqrt(s2 / 10000 - mean * mean);
        // 10,000 draws: the sample mean has sd 0.5/100 = 0.005, the sample sd about 0.0035; 5 sigma
        assertEquals(0, mean, 0.025);
        assertEquals(0.5, std, 0.018);
    }

    @Test
    void shapeErrorsNameBothShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.requireSameShape(a, b, "add"));
        assertEquals("add: shapes differ, [2, 3] vs [3, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.requireShape(a, "weights", 3, 3));
        assertEquals("weights: expected shape [3, 3] but got [2, 3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 2, 3, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(65536, 65536));
        assertThrows(IndexOutOfBoundsException.class, () -> a.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> a.transpose().reshape(6));
    }
}
