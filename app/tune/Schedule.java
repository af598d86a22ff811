package app.tune;

import app.train.Checkpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which job a free worker runs next, and what the jobs left: with ASHA, a promotion when a rung
 * has one, else the next new trial (by number); without, the next new trial to the end. A worker
 * that finds neither waits while others run (a job that ends may make a promotion). A paused trial
 * keeps its training state in memory until it is promoted, or until it can never be (then, and
 * when it is still paused when nothing is left to run, it ends as pruned).
 */
final class Schedule {
    private record Paused(Trial.Outcome at, Checkpoint state) {}

    private final Asha asha;  // null: every trial runs to the maximum
    private final int maxEpochs;
    private final TuneLog log;
    private final Tuner.Listener listener;
    private final Deque<Trial> fresh = new ArrayDeque<>();
    private final Map<Integer, Paused> paused = new TreeMap<>();
    private final Map<Integer, Trial.Outcome> ended = new TreeMap<>();
    private int running;
    private RuntimeException failure;

    /** The plan's trials, less those the log holds: ended ones are kept, paused ones wait at their rung (their training to be replayed). */
    Schedule(List<Trial> plan, Asha asha, int maxEpochs, TuneLog log, Tuner.Listener listener) {
        this.asha = asha;
        this.maxEpochs = maxEpochs;
        this.log = log;
        this.listener = listener;
        ended.putAll(log.ended());
        log.paused().forEach((id, o) -> paused.put(id, new Paused(o, null)));
        for (Trial t : plan) if (!ended.containsKey(t.id()) && !paused.containsKey(t.id())) fresh.add(t);
        if (asha != null) {
            for (Trial.Outcome o : ended.values()) restore(o);
            for (Paused p : paused.values()) restore(p.at());
            pruneHopeless();
        }
    }

    /**
     * ASHA's record of a trial from its epochs: its loss at each rung it reached; gone on from each rung it went
     * past, and from the last one when it ended there finished (early stopping) or failed right after it; never
     * to go on when it was pruned.
     * Recording a trial again changes nothing, so a job's outcome and a continued tune's log go through here alike.
     */
    private void restore(Trial.Outcome o) {
        int n = o.epochs().size();
        boolean failed = o.state().equals(Trial.FAILED), over = failed || o.state().equals(Trial.FINISHED);
        if (o.state().equals(Trial.PRUNED)) asha.end(o.trial().id());
        for (int r : asha.rungs()) {
            if (n < r) break;
            asha.record(o.trial().id(), r, o.epochs().get(r - 1).valLoss());
            if (n > r || over) asha.markPromoted(o.trial().id(), r);
        }
        if (failed) failedAt(o);
    }

    /** A diverged trial takes its place, last, at the rung it was heading to. */
    private void failedAt(Trial.Outcome o) {
        int to = asha.nextStop(o.epochs().size());
        if (to < maxEpochs) asha.recordFailure(o.trial().id(), to);
    }

    /** The next job, waiting while there is none but jobs run; null when the tune is done (or a job threw). */
    synchronized Job next() throws InterruptedException {
        while (failure == null) {
            Job j = pick();
            if (j != null) {
                running++;
                return j;
            }
            if (running == 0) return null;
            wait();
        }
        return null;
    }

    private Job pick() {
        Asha.Promotion p = asha == null ? null : asha.promotion();
        if (p != null) {
            Paused q = paused.remove(p.trial());
            if (q == null) {
                throw new IllegalStateException("ASHA promoted trial " + p.trial() + " from epoch " + p.fromEpoch() + ", which is not paused there");
            }
            listener.resumed(q.at().trial(), p.fromEpoch(), p.toEpoch(), q.state() == null);
            return new Job(q.at().trial(), q.state(), q.at().epochs(), p.toEpoch());
        }
        Trial t = fresh.poll();
        if (t == null) return null;
        log.started(t);
        listener.started(t);
        return new Job(t, null, List.of(), asha == null ? maxEpochs : asha.nextStop(0));
    }

    /** What a job left: a paused trial's loss is recorded at its rung, an ended trial's outcome is logged. */
    synchronized void done(Job.Done d) {
        running--;
        Trial.Outcome o = d.outcome();
        if (!o.state().equals(Trial.PAUSED)) {
            end(o);
        } else {
            restore(o);
            if (asha.hopeless(o.trial().id(), o.epochs().size())) {
                end(new Trial.Outcome(o.trial(), Trial.PRUNED, o.epochs(), null));
            } else {
                paused.put(o.trial().id(), new Paused(o, d.state()));
                listener.paused(o);
            }
        }
        if (asha != null) pruneHopeless();
        notifyAll();
    }

    /** A job threw: the workers stop taking jobs. */
    synchronized void abort(RuntimeException e) {
        if (failure == null) failure = e;
        notifyAll();
    }

    /** Every outcome by trial number, once no job is left: the trials still paused end as pruned. */
    synchronized Map<Integer, Trial.Outcome> finish() {
        for (int id : new ArrayList<>(paused.keySet())) prune(id);
        return new TreeMap<>(ended);
    }

    /** Paused trials that can never be promoted end now (in trial order), and their training is let go. */
    private void pruneHopeless() {
        for (int id : new ArrayList<>(paused.keySet())) {
            if (asha.hopeless(id, paused.get(id).at().epochs().size())) prune(id);
        }
    }

    private void prune(int id) {
        Trial.Outcome at = paused.remove(id).at();
        end(new Trial.Outcome(at.trial(), Trial.PRUNED, at.epochs(), null));
    }

    private void end(Trial.Outcome o) {
        if (asha != null) restore(o);
        ended.put(o.trial().id(), o);
        log.ended(o);
        listener.ended(o);
    }
}
