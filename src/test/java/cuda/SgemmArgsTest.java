package cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** CudaSgemm's argument checks (run before anything touches a GPU), with kernels.Sgemm's messages. */
class SgemmArgsTest {
    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void goodArgumentsPass() {
        // 3x4 times 4x5 into 3x5, tight and padded, transposed stored shapes.
        SgemmArgs.check(false, false, 3, 5, 4, 12, 0, 4, 20, 0, 5, 15, 0, 5);
        SgemmArgs.check(true, true, 3, 5, 4, 1 + 3 * 7 + 3, 1, 7, 4 * 5, 0, 4, 2 * 6 + 5, 0, 6);
        SgemmArgs.check(false, false, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1);
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("sgemm: sizes must be >= 0, got m=-1 n=2 k=3",
                message(() -> SgemmArgs.check(false, false, -1, 2, 3, 9, 0, 3, 9, 0, 3, 9, 0, 3)));
        assertEquals("sgemm: array A has length 11, too short by 1 for offset 0 and lda=4 (A, stored 3x4, m=3 n=5 k=4)",
                message(() -> SgemmArgs.check(false, false, 3, 5, 4, 11, 0, 4, 20, 0, 5, 15, 0, 5)));
        assertEquals("sgemm: ldb=4 is smaller than the row length 5 by 1 (B, stored 4x5, m=3 n=5 k=4)",
                message(() -> SgemmArgs.check(false, false, 3, 5, 4, 12, 0, 4, 20, 0, 4, 15, 0, 5)));
        assertEquals("sgemm: C offset is negative: -2 (C, stored 3x5, m=3 n=5 k=4)",
                message(() -> SgemmArgs.check(false, false, 3, 5, 4, 12, 0, 4, 20, 0, 5, 15, -2, 5)));
        assertEquals("sgemm: array B is null (B transposed, stored 5x4, m=3 n=5 k=4)",
                message(() -> SgemmArgs.check(false, true, 3, 5, 4, 12, 0, 4, -1, 0, 4, 15, 0, 5)));
    }

    @Test
    void indicesBeyondIntAreRefused() {
        // 70000 rows of ld 40000 span 2.8e9 floats: a device buffer may hold them, the kernels' int math may not.
        long huge = 70_000L * 40_000;
        String m = message(() -> SgemmArgs.check(false, false, 70_000, 1, 40_000, huge, 0, 40_000, 40_000, 0, 1,
                70_000, 0, 1));
        assertEquals("sgemm: A spans 2800000000 floats from its buffer's start, more than the kernels' int indexing"
                + " allows (2^31 - 1) (A, stored 70000x40000, m=70000 n=1 k=40000)", m);
    }

    @Test
    void spanIsFromTheFirstToOnePastTheLastElement() {
        assertEquals(0, SgemmArgs.span(0, 5, 7));
        assertEquals(5, SgemmArgs.span(1, 5, 7));
        assertEquals(2 * 7 + 5, SgemmArgs.span(3, 5, 7));
    }
}
