package app.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import data.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ASHA's promotion rule, by hand and on a synthetic objective. */
class AshaTest {
    @Test
    void rungsAreMinEpochsTimesPowersOfEtaBelowTheMaximum() {
        assertEquals(List.of(1, 3, 9), new Asha(1, 3, 27).rungs());
        assertEquals(List.of(2, 4, 8), new Asha(2, 2, 10).rungs());
        assertEquals(List.of(), new Asha(5, 3, 5).rungs());
    }

    @Test
    void aTrialGoesOnOnlyInTheTopOneOverEtaOfTheLossesRecordedAtItsRung() {
        Asha a = new Asha(1, 3, 9);
        assertTrue(a.keepGoing(1, 0.5), "the first at a rung: rank 0, 0·3 < 1");
        assertTrue(a.keepGoing(1, 0.4), "rank 0 of 2");
        assertFalse(a.keepGoing(1, 0.6), "rank 2 of 3: 6 ≥ 3");
        assertTrue(a.keepGoing(1, 0.3), "rank 0 of 4");
        assertFalse(a.keepGoing(1, 0.45), "rank 2 of 5: 6 ≥ 5");
        assertTrue(a.keepGoing(1, 0.35), "rank 1 of 6: 3 < 6");
        assertTrue(a.keepGoing(2, 99), "between rungs every trial goes on");
        assertTrue(a.keepGoing(3, 0.2), "rung 3 has its own record");
        assertFalse(a.keepGoing(3, Double.NaN), "a diverged trial ranks last");
    }

    /** val loss of trial i after e epochs: its floor b_i plus a decay that every trial shares, so the ranking never changes. */
    static double objective(double floor, int epoch) {
        return floor + 1.0 / epoch;
    }

    @Test
    void onASyntheticObjectiveTheBestTrialRunsToTheEndWithAThirdOfRandomSearchsEpochs() {
        // the first arrivals at a rung always go on, so the saving grows with the trial count: 27 trials of 27 epochs
        // cost 253 epochs (above a third of 729); 81 trials stay below a third
        int trials = 81, max = 27;
        double[] floor = new double[trials];
        Rng rng = new Rng(Rng.mix(1, 2, 3));
        for (int i = 0; i < trials; i++) floor[i] = rng.nextDouble();
        int best = 0;
        for (int i = 1; i < trials; i++) if (floor[i] < floor[best]) best = i;
        Asha asha = new Asha(1, 3, max);
        int total = 0;
        int[] ran = new int[trials];
        for (int i = 0; i < trials; i++) {  // one worker: trials in id order, each until stopped or finished
            for (int e = 1; e <= max; e++) {
                ran[i] = e;
                total++;
                if (e < max && !asha.keepGoing(e, objective(floor[i], e))) break;
            }
        }
        assertEquals(max, ran[best], "the best trial is never pruned");
        assertTrue(total * 3 <= trials * max, total + " epochs against random search's " + trials * max);
    }
}
