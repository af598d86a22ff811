package app.tune;

import app.tensorboard.TrainingBoard;
import app.train.Checkpoint;
import app.train.TrainConfig;
import app.train.Training;
import backprop.EpochMetrics;
import backprop.TrainingListener;
import data.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One job of a tune: trains a trial from where it stands to {@code toEpoch} epochs, logging each
 * epoch. {@code state} is a paused trial's training state (weights, momentum, learning rate,
 * history), from which it resumes exactly as if it had not paused; null for a new trial, or for one
 * paused before the tune was continued, whose first {@code epochs.size()} epochs are then trained
 * again without logging (a trial computes the same numbers every time it runs).
 */
record Job(Trial trial, Checkpoint state, List<EpochMetrics> epochs, int toEpoch) {
    /** What a job leaves: the trial's outcome (paused, finished or failed) and, when paused, its training state. */
    record Done(Trial.Outcome outcome, Checkpoint state) {}

    Done run(Function<Trial, TrainConfig> configOf, Dataset.Split data, int maxEpochs, TuneLog log, Tuner.Listener listener,
             Path tensorboard) {
        List<EpochMetrics> ran = new ArrayList<>(epochs);
        Training training;
        try {
            TrainConfig config = configOf.apply(trial).withEpochs(maxEpochs);
            if (state != null) {
                training = Training.resume(config, data, state);
            } else {
                training = Training.start(config, data);
                replay(training, listener);
            }
            training.addListener(new TrainingListener() {
                @Override public void onEpoch(EpochMetrics e) { log.epoch(trial, e); }
            });
            // TensorBoard reads every event file of a run folder: a trial paused and promoted adds one per job
            try (TrainingBoard board = tensorboard == null ? null
                    : TrainingBoard.open(tensorboard.resolve("trial-" + trial.id()), training.network().parameters())) {
                if (board != null) training.addListener(board);
                while (training.epoch() < toEpoch && !training.finished()) ran.add(training.trainEpoch());
            } catch (IOException e) {
                throw new UncheckedIOException("--tensorboard: " + e.getMessage(), e);
            }
        } catch (ArithmeticException | IllegalArgumentException e) {
            return new Done(new Trial.Outcome(trial, Trial.FAILED, List.copyOf(ran), e.getMessage()), null);
        }
        // a paused trial keeps its state (the network's own tensors, a few MB at most), not its training with its data
        boolean last = training.finished();
        return new Done(new Trial.Outcome(trial, last ? Trial.FINISHED : Trial.PAUSED, List.copyOf(ran), null),
                last ? null : training.checkpoint());
    }

    /** Trains the epochs the log holds again; says so when the last one's validation loss is not the logged one. */
    private void replay(Training training, Tuner.Listener listener) {
        if (epochs.isEmpty()) return;
        EpochMetrics again = null;
        while (training.epoch() < epochs.size()) again = training.trainEpoch();
        double logged = epochs.get(epochs.size() - 1).valLoss();
        if (Double.compare(again.valLoss(), logged) != 0) {
            listener.note(String.format(Locale.ROOT, "trial %d: retrained to epoch %d, its validation loss is %s, not the logged %s "
                    + "(another build or CPU?); it goes on from the retrained state", trial.id(), epochs.size(), again.valLoss(), logged));
        }
    }
}
