package kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The warm-up's bounds (its effect on the first epoch is measured by bench/cold-runs.sh, not here). */
class WarmupTest {
    @Test
    void aZeroBudgetRunsTheOneRoundThatLoadsTheClasses() {
        assertEquals(Simd.ON ? 1 : 0, Warmup.run(0, EnumSet.allOf(Warmup.Activation.class), () -> false));
    }

    @Test
    void roundsStopAtTheirCap() {
        int rounds = Warmup.run(60_000, EnumSet.allOf(Warmup.Activation.class), () -> false);
        assertTrue(rounds == (Simd.ON ? Warmup.MAX_ROUNDS : 0), "rounds " + rounds);
    }

    @Test
    void roundsStopWhenWorkStartsAfterTheFirst() {
        int[] asked = new int[1];
        int rounds = Warmup.run(60_000, EnumSet.of(Warmup.Activation.SIGMOID), () -> ++asked[0] >= 3);
        assertEquals(Simd.ON ? 3 : 0, rounds);
    }
}
