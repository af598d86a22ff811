package app.tune;

import app.train.TrainConfig;
import data.Dataset;
import data.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs the jobs of a tune, P at a time: a worker takes the next job ({@link Schedule}: a new trial,
 * or with ASHA a paused trial's promotion), trains it an epoch at a time on the tune's training
 * and validation sets, and logs every epoch. A trial's flags and seed are functions of (tune seed,
 * trial number), and pausing it changes nothing it computes, so a trial's numbers do not depend on
 * P or on which worker ran it; with ASHA and P > 1, which jobs run does (see {@link Asha}).
 */
public final class Tuner {
    static final long TRIAL_SEED_STREAM = 7;

    /** What the tune reports as trials start, pause, go on and end (a live table). */
    public interface Listener {
        void started(Trial t);

        /** A trial paused at an ASHA rung (state paused), its training kept for a promotion. */
        default void paused(Trial.Outcome o) {}

        /**
         * A paused trial promoted from rung {@code fromEpoch} to {@code toEpoch}; {@code retrained}: its state was not in
         * memory (a continued tune), so its first {@code fromEpoch} epochs are trained again first.
         */
        default void resumed(Trial t, int fromEpoch, int toEpoch, boolean retrained) {}

        void ended(Trial.Outcome o);

        /** Something the user should know that is not a trial's row. */
        default void note(String line) {}
    }

    private Tuner() {}

    /** The seed of trial {@code id}: a non-negative 31-bit number, short enough to read in a command line. */
    public static long trialSeed(long seed, int id) {
        return Rng.mix(seed, TRIAL_SEED_STREAM, id) >>> 33;
    }

    /** The trials: the grid's combinations in order (the first {@code trials} of them), or {@code trials} random draws. */
    public static List<Trial> plan(SearchSpace space, boolean grid, int trials, long seed) {
        List<Trial> plan = new ArrayList<>();
        if (grid) {
            List<Map<String, String>> combos = space.grid();
            for (int i = 0; i < Math.min(trials, combos.size()); i++) plan.add(new Trial(i, combos.get(i), trialSeed(seed, i)));
        } else {
            for (int i = 0; i < trials; i++) plan.add(new Trial(i, space.sample(seed, i), trialSeed(seed, i)));
        }
        return plan;
    }

    /**
     * Runs the trials of {@code plan} that {@code log} has not seen end, {@code parallel} jobs at a time; returns every
     * outcome by trial number (those of the log included). {@code asha} null: every trial runs {@code maxEpochs}.
     * {@code tensorboard} (null: none) gets one run folder per trial, {@code trial-<id>}, each job an event file in it.
     */
    public static Map<Integer, Trial.Outcome> run(List<Trial> plan, Function<Trial, TrainConfig> configOf, Dataset.Split data,
                                                  int maxEpochs, Asha asha, int parallel, TuneLog log, Listener listener,
                                                  Path tensorboard) {
        Schedule schedule = new Schedule(plan, asha, maxEpochs, log, listener);
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread th = new Thread(r, "tune-worker");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < parallel; w++) {
                workers.add(pool.submit(() -> {
                    try {
                        for (Job j; (j = schedule.next()) != null; ) schedule.done(j.run(configOf, data, maxEpochs, log, listener, tensorboard));
                    } catch (RuntimeException e) {
                        schedule.abort(e);
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("tune interrupted");
        } finally {
            pool.shutdownNow();
        }
        return schedule.finish();
    }

    /** The best outcome: lowest final validation loss among those that ran every epoch, else among all; null if none has one. */
    public static Trial.Outcome best(Map<Integer, Trial.Outcome> outcomes, int maxEpochs) {
        Trial.Outcome best = null;
        for (boolean fullOnly : new boolean[] {true, false}) {
            for (Trial.Outcome o : outcomes.values()) {
                if (Double.isNaN(o.valLoss()) || fullOnly && o.epochs().size() < maxEpochs) continue;
                if (best == null || o.valLoss() < best.valLoss()) best = o;
            }
            if (best != null) return best;
        }
        return null;
    }
}
