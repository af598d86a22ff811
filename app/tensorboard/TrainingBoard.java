package app.tensorboard;

import app.metrics.Metrics;
import app.plot.ImageGrid;
import app.train.Evaluator;
import backprop.EpochMetrics;
import backprop.Parameter;
import backprop.TrainingListener;
import data.Dataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * What {@code train --tensorboard DIR} shows in TensorBoard: the running train loss every
 * {@link #EVERY_STEPS} steps (tag {@code running_train_loss}, x = the step), per epoch the figures of
 * {@code --metrics} ({@code train_loss}, {@code val_loss}, {@code val_accuracy}, {@code learning_rate},
 * {@code examples_per_second}, x = the epoch) and histograms of every parameter's weights and last
 * gradient, and images at the end (the confusion matrix, the top losses). Flushed after every epoch,
 * so a running training is live. It is a {@link TrainingListener}: add it to any training loop.
 */
public final class TrainingBoard implements Closeable, TrainingListener {
    /** Examples in the top-losses grid, and a row of it. */
    public static final int TOP_LOSSES = 16, TOP_LOSSES_COLUMNS = 8;

    /** Steps between two points of the running train loss. */
    public static final int EVERY_STEPS = 20;

    private final EventFile events;
    private final List<Parameter> parameters;

    private TrainingBoard(EventFile events, List<Parameter> parameters) {
        this.events = events;
        this.parameters = List.copyOf(parameters);
    }

    /** A new event file in {@code dir}, with histograms of {@code parameters} after each epoch. */
    public static TrainingBoard open(Path dir, List<Parameter> parameters) throws IOException {
        return new TrainingBoard(EventFile.create(dir), parameters);
    }

    public Path file() {
        return events.path();
    }

    /** After a step: writes the epoch's running mean loss when {@code step} is a multiple of {@link #EVERY_STEPS}. */
    private void step(long step, double runningLoss) throws IOException {
        if (step % EVERY_STEPS == 0) events.scalar("running_train_loss", step, (float) runningLoss);
    }

    @Override
    public void onTrainingBatch(int epoch, long step, int batch, int rows, double loss, double epochLoss, long examples) {
        try {
            step(step, epochLoss);
        } catch (IOException e) {
            throw new UncheckedIOException("--tensorboard: " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpoch(EpochMetrics e) {
        try {
            epoch(e);
        } catch (IOException ex) {
            throw new UncheckedIOException("--tensorboard: " + ex.getMessage(), ex);
        }
    }

    /** After an epoch: its figures (every one of the metrics schema, extras included) and the parameters' histograms. */
    private void epoch(EpochMetrics e) throws IOException {
        events.scalar("train_loss", e.epoch(), (float) e.trainLoss());
        events.scalar("val_loss", e.epoch(), (float) e.valLoss());
        events.scalar("val_accuracy", e.epoch(), (float) e.valAccuracy());
        events.scalar("learning_rate", e.epoch(), (float) e.learningRate());
        events.scalar("examples_per_second", e.epoch(), (float) e.examplesPerSecond());
        for (var x : e.extra().entrySet()) events.scalar(x.getKey(), e.epoch(), x.getValue().floatValue());
        for (Parameter p : parameters) {
            events.histogram("weights/" + p.name(), e.epoch(), p.value().data(), p.size());
            events.histogram("gradients/" + p.name(), e.epoch(), p.gradient().data(), p.size());
        }
        events.flush();
    }

    /** An image, e.g. the confusion matrix at the end. */
    public void image(String tag, long step, BufferedImage img) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", png)) throw new IOException("no PNG writer in this JDK");
        events.image(tag, step, png.toByteArray(), img.getWidth(), img.getHeight());
        events.flush();
    }

    /**
     * The {@link #TOP_LOSSES} examples of {@code data} with the highest loss as a grid captioned with
     * the true label, the prediction and its probability (tag {@code top_losses}), as {@code nabla
     * top-losses} draws them: where to look for wrong labels. Nothing for data that is not images;
     * {@code e} must hold the per-example losses ({@code Evaluator.run(true)}).
     */
    public void topLosses(long step, Dataset data, Evaluator.Evaluation e) throws IOException {
        if (data.imageShape().isEmpty()) return;
        if (e.exampleLoss() == null) throw new IllegalArgumentException("the top losses need the per-example losses: Evaluator.run(true)");
        int[] worst = Metrics.topLosses(e.exampleLoss(), TOP_LOSSES);
        List<String> captions = new ArrayList<>();
        for (int i : worst) {
            captions.add(String.format(Locale.ROOT, "#%d / true: %s / pred: %s / p=%.2f", i, data.className(data.labels()[i]),
                    data.className(e.predicted()[i]), e.predictedProbability()[i]));
        }
        image("top_losses", step, ImageGrid.render(data, worst, captions, TOP_LOSSES_COLUMNS));
    }

    @Override
    public void close() throws IOException {
        events.close();
    }
}
