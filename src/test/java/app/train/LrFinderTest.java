package app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrFinderTest {
    /** A loss curve falling as a logistic in ln lr centred at lr = 1e-2 (steepest there), then blowing up past lr = 1. */
    static double curve(double lr) {
        double u = Math.log(lr / 1e-2);
        double fall = 2.3 - 2.0 / (1 + Math.exp(-u));
        return lr > 1 ? fall * Math.pow(lr, 4) : fall;
    }

    @Test
    void suggestsTheSteepestPointOfASmoothCurve() {
        LrFinder.Result r = LrFinder.run(LrFinderTest::curve, 1e-6, 10, 300);
        // The window is centred on the steepest slope of the smoothed curve; the moving average
        // (β = 0.98, a lag of ~50 steps ≈ 50·ln(1e7)/300 ≈ 2.7 in ln lr) shifts it to larger lr, so
        // allow a factor e^3 ≈ 20 above the true steepest point and none below it.
        assertTrue(r.suggested() >= 1e-2 && r.suggested() <= 1e-2 * Math.exp(3), "suggested " + r.suggested());
        assertTrue(r.stopReason().startsWith("the loss diverged"), r.stopReason());
        assertTrue(r.lrs()[r.lrs().length - 1] < 10, "stopped before the end of the range");
    }

    @Test
    void aWindowSustainsTheDescentSoNoiseDoesNotWin() {
        int n = 100;
        double[] lrs = new double[n];
        double[] loss = new double[n];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            lrs[i] = Math.pow(10, -5 + 5.0 * i / (n - 1));
            // a steady descent from 2 to 1 over steps 40..70 (slope -1/30 per step), under noise of ±0.15 per point:
            // two neighbours can differ by 0.3, nine times the descent's step, but a fitted slope over 11
            // points sees the noise shrunk by the fit (~0.15/√110 per step)
            loss[i] = (i < 40 ? 2.0 : i < 70 ? 2.0 - (i - 40) / 30.0 : 1.0 + (i - 70) / 10.0) + 0.15 * (2 * rng.nextDouble() - 1);
        }
        double s = LrFinder.suggest(lrs, loss);
        assertTrue(s > lrs[40] && s < lrs[70], "inside the sustained descent: " + s);
    }

    @Test
    void noSuggestionWhenTheLossNeverFalls() {
        double[] lrs = {1e-3, 1e-2, 1e-1, 1, 10};
        double[] loss = {1, 2, 3, 4, 5};
        assertTrue(Double.isNaN(LrFinder.suggest(lrs, loss)));
        assertThrows(IllegalArgumentException.class, () -> LrFinder.run(lr -> 1, 1, 0.1, 100));
        assertEquals("the loss became non-finite at lr 1.00e-06".substring(0, 10),
                LrFinder.run(lr -> { throw new ArithmeticException("nan"); }, 1e-6, 1, 20).stopReason().substring(0, 10));
    }
}
