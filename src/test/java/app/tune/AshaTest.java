package app.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import data.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ASHA's promotion rule, by hand and on a synthetic objective. */
class AshaTest {
    @Test
    void rungsAreMinEpochsTimesPowersOfEtaBelowTheMaximum() {
        assertEquals(List.of(1, 3, 9), new Asha(1, 3, 27, 10).rungs());
        assertEquals(List.of(2, 4, 8), new Asha(2, 2, 10, 10).rungs());
        assertEquals(List.of(), new Asha(5, 3, 5, 10).rungs());
        Asha a = new Asha(1, 3, 9, 10);
        assertEquals(1, a.nextStop(0), "a new trial trains to the first rung");
        assertEquals(3, a.nextStop(1));
        assertEquals(9, a.nextStop(3), "from the highest rung to the maximum");
    }

    @Test
    void theBestNotYetPromotedTrialInTheTopOneOverEtaOfARungGoesOn() {
        Asha a = new Asha(1, 3, 9, 9);
        a.record(0, 1, 0.5);
        assertNull(a.promotion(), "1 loss at rung 1: its top ⌊1/3⌋ is empty");
        a.record(1, 1, 0.4);
        assertNull(a.promotion(), "⌊2/3⌋ = 0");
        a.record(2, 1, 0.6);
        assertEquals(new Asha.Promotion(1, 1, 3), a.promotion(), "⌊3/3⌋ = 1: the best of 0.5, 0.4, 0.6");
        assertNull(a.promotion(), "trial 1 went on already and the top holds one trial");
        a.record(1, 3, 0.3);
        a.record(3, 1, 0.45);
        assertNull(a.promotion(), "4 at rung 1, top 1 is trial 1 again; 1 at rung 3");
        a.record(4, 1, 0.35);
        assertEquals(new Asha.Promotion(4, 1, 3), a.promotion(), "trial 4 (0.35) displaces trial 1 from the top 1 of 5; both go on");
        a.record(5, 1, 0.55);
        assertNull(a.promotion(), "top 2 of 6: trials 4 and 1, both promoted");
        a.record(4, 3, 0.2);
        a.record(6, 1, 0.7);
        a.record(7, 1, 0.42);
        assertNull(a.promotion(), "top 2 of 8 at rung 1; ⌊2/3⌋ = 0 at rung 3");
        a.record(8, 1, 0.38);
        assertEquals(new Asha.Promotion(8, 1, 3), a.promotion(), "top 3 of 9: 0.35, 0.38, 0.4");
        a.record(8, 3, 0.25);
        assertEquals(new Asha.Promotion(4, 3, 9), a.promotion(), "3 at rung 3: the best (0.2) goes on to the maximum");
        assertNull(a.promotion());
    }

    @Test
    void theHighestRungPromotesFirst() {
        Asha a = new Asha(1, 2, 4, 8);  // rungs 1 and 2, then 4
        a.record(0, 1, 0.5);
        a.record(1, 1, 0.4);
        assertEquals(new Asha.Promotion(1, 1, 2), a.promotion());
        a.record(2, 1, 0.3);
        assertEquals(new Asha.Promotion(2, 1, 2), a.promotion(), "top 1 of 3 at rung 1");
        a.record(1, 2, 0.35);
        a.record(3, 1, 0.2);
        a.record(2, 2, 0.25);
        // trial 3 is promotable from rung 1 (top 2 of 4) and trial 2 from rung 2 (top 1 of 2)
        assertEquals(new Asha.Promotion(2, 2, 4), a.promotion());
        assertEquals(new Asha.Promotion(3, 1, 2), a.promotion());
        assertNull(a.promotion());
    }

    @Test
    void equalLossesRankByTrialNumberAndAFailedTrialRanksLastAndNeverGoesOn() {
        Asha a = new Asha(1, 3, 9, 9);
        a.record(2, 1, 0.5);
        a.record(1, 1, 0.5);
        a.record(0, 1, 0.5);
        assertEquals(new Asha.Promotion(0, 1, 3), a.promotion());

        Asha f = new Asha(1, 3, 9, 9);
        f.recordFailure(0, 1);
        f.recordFailure(1, 1);
        f.recordFailure(2, 1);
        assertNull(f.promotion(), "trial 0 heads the top 1, but it diverged");
        f.record(3, 1, 9.0);
        f.record(4, 1, 9.5);
        f.record(5, 1, 10.0);
        assertEquals(new Asha.Promotion(3, 1, 3), f.promotion(), "top 2 of 6: trials 3 and 4, above every diverged one");
        assertEquals(new Asha.Promotion(4, 1, 3), f.promotion());

        Asha p = new Asha(1, 3, 9, 9);
        p.record(0, 1, 0.1);
        p.end(0);
        p.record(1, 1, 0.2);
        p.record(2, 1, 0.3);
        assertNull(p.promotion(), "trial 0 heads the top 1 but was pruned (a tune continued from a log that says so)");
    }

    @Test
    void aTrialIsHopelessOnceTrialsOverEtaLossesRankAboveIt() {
        Asha a = new Asha(1, 3, 9, 9);  // ⌊9/3⌋ = 3: no rung ever promotes more than its top 3
        for (int t = 0; t < 4; t++) a.record(t, 1, 0.1 * (t + 1));
        assertFalse(a.hopeless(2, 1), "2 above it: with 9 at the rung it is in the top 3");
        assertTrue(a.hopeless(3, 1), "3 above it");
        a.markPromoted(0, 1);
        a.record(0, 3, 0.05);
        assertFalse(a.hopeless(0, 3), "alone at rung 3");
    }

    /** val loss of trial i after e epochs: its floor b_i plus a decay that every trial shares, so the ranking never changes. */
    static double objective(double floor, int epoch) {
        return floor + 1.0 / epoch;
    }

    /** Epochs one worker spends: a promotion when there is one, else the next new trial (as {@link Schedule} orders its jobs). */
    static int[] oneWorker(double[] floor, Asha asha) {
        int[] ran = new int[floor.length];
        int next = 0;
        while (true) {
            Asha.Promotion p = asha.promotion();
            int t, to;
            if (p != null) {
                t = p.trial();
                to = p.toEpoch();
            } else if (next < floor.length) {
                t = next++;
                to = asha.nextStop(0);
            } else {
                return ran;
            }
            ran[t] = to;
            if (to < asha.maxEpochs()) asha.record(t, to, objective(floor[t], to));
        }
    }

    static double[] floors(int trials) {
        double[] floor = new double[trials];
        Rng rng = new Rng(Rng.mix(1, 2, 3));
        for (int i = 0; i < trials; i++) floor[i] = rng.nextDouble();
        return floor;
    }

    @Test
    void onASyntheticObjectiveTheBestTrialRunsToTheEndWithUnderAThirdOfRandomSearchsEpochs() {
        // {trials, max epochs, the epochs one worker spends}. Without the early arrivals that are promoted on few
        // results, 27 trials would cost 27·1 + 9·2 + 3·6 = 63 epochs and 81 trials 81 + 27·2 + 9·6 + 3·18 = 243;
        // here 27 trials promote 10 from rung 1 and 5 from rung 3 (27 + 10·2 + 5·6 = 77), 81 trials 30, 14 and 6
        // (81 + 30·2 + 14·6 + 6·18 = 333).
        // With 9 trials the early promotions weigh more: 29 of 81 epochs, above a third.
        int[][] cases = {{27, 9, 77}, {81, 27, 333}};
        for (int[] c : cases) {
            int trials = c[0], max = c[1];
            double[] floor = floors(trials);
            int best = 0;
            for (int i = 1; i < trials; i++) if (floor[i] < floor[best]) best = i;
            int[] ran = oneWorker(floor, new Asha(1, 3, max, trials));
            int total = java.util.Arrays.stream(ran).sum();
            assertEquals(max, ran[best], trials + " trials: the best trial runs every epoch");
            assertEquals(c[2], total, trials + " trials of " + max + " epochs");
            assertTrue(total * 3 <= trials * max, total + " epochs against random search's " + trials * max);
        }
    }
}
