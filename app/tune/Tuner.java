package app.tune;

import app.train.TrainConfig;
import app.train.Training;
import backprop.EpochMetrics;
import backprop.TrainingListener;
import data.Dataset;
import data.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs the trials of a tune, P at a time: each worker takes the next trial number not yet run,
 * trains it an epoch at a time on the tune's training and validation sets, logs every epoch, and
 * (with ASHA) asks the scheduler after each epoch whether it goes on. A trial's flags and seed are
 * functions of (tune seed, trial number), so what a trial computes does not depend on P or on
 * which worker ran it.
 */
public final class Tuner {
    static final long TRIAL_SEED_STREAM = 7;

    /** What the tune reports as trials start and end (a live table). */
    public interface Listener {
        void started(Trial t);

        void ended(Trial.Outcome o);
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
     * Runs the trials of {@code plan} that {@code log} has not seen end, {@code parallel} at a time; returns every
     * outcome by trial number (those of the log included). {@code asha} null: every trial runs {@code maxEpochs}.
     */
    public static Map<Integer, Trial.Outcome> run(List<Trial> plan, Function<Trial, TrainConfig> configOf, Dataset.Split data,
                                                  int maxEpochs, Asha asha, int parallel, TuneLog log, Listener listener) {
        Map<Integer, Trial.Outcome> outcomes = new TreeMap<>(log.ended());
        // ASHA's rungs hold what the ended trials recorded, in trial order
        if (asha != null) for (Trial.Outcome o : outcomes.values()) for (EpochMetrics e : o.epochs()) asha.keepGoing(e.epoch(), e.valLoss());
        List<Trial> todo = new ArrayList<>();
        for (Trial t : plan) if (!outcomes.containsKey(t.id())) todo.add(t);
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread th = new Thread(r, "tune-worker");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < parallel; w++) {
                workers.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < todo.size(); ) {
                        Trial.Outcome o = runTrial(todo.get(i), configOf, data, maxEpochs, asha, log, listener);
                        synchronized (outcomes) {
                            outcomes.put(o.trial().id(), o);
                        }
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
        return outcomes;
    }

    /** One trial: trains until {@code maxEpochs}, a rung that prunes it, or a diverged loss. */
    static Trial.Outcome runTrial(Trial t, Function<Trial, TrainConfig> configOf, Dataset.Split data, int maxEpochs, Asha asha,
                                  TuneLog log, Listener listener) {
        log.started(t);
        listener.started(t);
        List<EpochMetrics> epochs = new ArrayList<>();
        String state = Trial.FINISHED, reason = null;
        AshaPruning pruning = asha == null ? null : new AshaPruning(asha, maxEpochs);
        try {
            Training run = Training.start(configOf.apply(t).withEpochs(maxEpochs), data);
            run.addListener(new TrainingListener() {
                @Override public void onEpoch(EpochMetrics e) { log.epoch(t, e); }
            });
            if (pruning != null) run.addListener(pruning);
            while (!run.finished()) epochs.add(run.trainEpoch());
            if (pruning != null && pruning.pruned()) state = Trial.PRUNED;
        } catch (ArithmeticException | IllegalArgumentException e) {
            state = Trial.FAILED;
            reason = e.getMessage();
            // a diverged trial still takes its place, last, at the rung it failed to reach
            if (asha != null) asha.keepGoing(epochs.size() + 1, Double.NaN);
        }
        Trial.Outcome o = new Trial.Outcome(t, state, List.copyOf(epochs), reason);
        log.ended(o);
        listener.ended(o);
        return o;
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
