package app.train;

import backprop.BatchBuffer;
import backprop.Divergence;
import backprop.EpochLoop;
import backprop.EpochMetrics;
import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.StepEngine;
import backprop.Trainer;
import backprop.TrainingListener;
import backprop.init.Initializer;
import backprop.layers.Dropout;
import backprop.loss.ClassWeighted;
import backprop.optim.LearningRateSchedule;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import data.Dataset;
import data.ImageShape;
import data.Loader;
import data.Normalization;
import data.Oversampling;
import data.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tensor.Tensor;
import tensor.io.Json;

/**
 * A training run of {@code nabla train}: the network, data, optimizer and schedule a
 * {@link TrainConfig} describes, trained an epoch at a time, validated after each epoch, and
 * saved to and resumed from a {@link Checkpoint}.
 *
 * <p>Every random draw is a function of the seed and the epoch, so a run resumed from the
 * checkpoint of epoch e computes bit for bit what the uninterrupted run computes after e:
 * <ul>
 *   <li>initial weights: {@code Network.initialize(init, seed)} (only at the start);</li>
 *   <li>the order of epoch e: {@link Loader}, from {@code Rng.mix(seed, 1, e)};</li>
 *   <li>the dropout masks of epoch e, layer i: {@code SplittableRandom(Rng.mix(seed, 3, e·2¹⁶ + i))};</li>
 *   <li>the validation split: {@code Rng.mix(seed, 4, 0)};</li>
 *   <li>with --balance oversample, the extra draws and order of epoch e: {@code Rng.mix(seed, 6, e)}.</li>
 * </ul>
 * The rest of the state is in the checkpoint: weights, BatchNorm statistics, momentum buffers,
 * the learning rate, and the per-epoch history from which the plateau schedule and early stopping
 * rebuild their counters by replaying it.
 */
public final class Training {
    static final long DROPOUT_STREAM = 3;
    static final long VALIDATION_SPLIT_STREAM = 4;
    /** The default hidden layer when no --model is given: {@code <inputs>-64-<classes>}. */
    public static final int DEFAULT_HIDDEN = 64;

    private final TrainConfig config;
    private final ModelSpec spec;
    private final Dataset train;
    private final Dataset validation;
    private final Dataset test;
    private final boolean validationIsTest;
    private final Network net;
    private final Loss loss;
    private final Sgd sgd;
    private Trainer trainer;                // over the head alone with --cache-features
    private final LearningRateSchedule schedule;
    private final Normalization normalization;
    private Loader loader;                  // over the cached body outputs with --cache-features
    private final Evaluator validator;
    private final List<Dropout> dropouts = new ArrayList<>();
    private final BatchBuffer labels = new BatchBuffer();
    private final List<EpochMetrics> history = new ArrayList<>();
    private final Divergence divergence = new Divergence();
    private final EpochLoop<Tensor> loop = new EpochLoop<Tensor>().addListener(divergence);
    private final LoaderBatches batches = new LoaderBatches();
    private int epoch;                      // epochs completed
    private int bestEpoch;                  // 1-based epoch of the lowest validation loss so far; 0 before the first
    private double bestValLoss = Double.POSITIVE_INFINITY;
    private Map<String, Tensor> bestState;  // copies of the model tensors of bestEpoch (with early stopping)
    private boolean stopped;
    private StepEngine<Tensor> engine;      // null: the CPU trainer
    private String transfer;                // JSON of the base this run started from (--from), null for none

    private Training(TrainConfig config, Dataset.Split data) {
        this.config = config;
        Splits splits = Splits.of(config, data);
        this.train = splits.train();
        this.validation = splits.validation();
        this.test = splits.test();
        this.validationIsTest = splits.validationIsTest();
        this.spec = spec(config, train);
        MemoryBudget.forTraining(spec, config, Math.max(data.train().size(), data.test().size()),
                4L * (data.train().features().size() + data.test().features().size())).check();
        this.net = spec.build();
        net.initialize(Initializer.byName(config.init()), config.seed());
        for (Layer l : net.layers()) if (l instanceof Dropout d) dropouts.add(d);
        ModelSpec.freeze(net, config.freeze());
        // --balance weights: each example's loss weighs n/(classes·n_class) of its class in the training set
        this.loss = config.balance().equals("weights")
                ? new ClassWeighted(spec.newLoss(), ClassWeighted.balanced(train.labels(), train.numClasses())) : spec.newLoss();
        this.sgd = new Sgd(net, config.lr()).momentum(config.momentum()).regularization(Regularization.of(config.l1(), config.l2()));
        this.trainer = new Trainer(net, loss, sgd);
        this.schedule = LrDecay.parse(config.lrDecay());
        this.normalization = Normalization.byName(config.normalize(), train);
        if (config.batch() < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + config.batch());
        if (config.epochs() < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + config.epochs());
        if (config.earlyStopping() < 0) throw new IllegalArgumentException("early-stopping patience must be >= 0, got " + config.earlyStopping());
        this.loader = new Loader(train, config.batch(), true, config.seed(), normalization, null,
                config.balance().equals("oversample") ? new Oversampling(train.labels(), train.numClasses()) : null);
        this.validator = new Evaluator(spec, net, loss, validation, normalization);
    }

    /** A new run: weights from the seed, then the leading layers of the --from checkpoint when there is one. */
    public static Training start(TrainConfig config, Dataset.Split data) {
        Training t = new Training(config, data);
        if (config.from() != null) t.startFrom(config.from());
        return t;
    }

    /**
     * Trains the head on the frozen body's outputs, computed once now (see {@link FeatureCache}); call it after
     * the weights are loaded ({@link #restore}, --from). Validation and testing still run the whole network.
     */
    public void cacheFeatures() {
        FeatureCache.Cached c = FeatureCache.build(net, train, normalization);
        this.trainer = new Trainer(c.head(), loss, sgd);
        this.loader = new Loader(c.features(), config.batch(), true, config.seed(), null, null,
                config.balance().equals("oversample") ? new Oversampling(train.labels(), train.numClasses()) : null);
        this.cachedFeatures = c.features().dim();
    }

    private int cachedFeatures;  // 0, or the width of the cached body outputs

    /** The width of the cached body outputs the head trains on, 0 without --cache-features. */
    public int cachedFeatures() { return cachedFeatures; }

    /** A run whose weights are only those of the seed (to {@link #restore} a checkpoint into). */
    public static Training fromSeed(TrainConfig config, Dataset.Split data) {
        return new Training(config, data);
    }

    /** Copies the matching leading layers of the checkpoint {@code path} into the fresh network (see {@link Transfer}). */
    private void startFrom(String path) {
        Checkpoint base;
        try {
            base = Checkpoint.read(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--from " + path + ": " + e.getMessage());
        }
        transferred = Transfer.apply(base, net);
        transfer = Json.write(transferred.toJson(config.freeze()));
    }

    private Transfer transferred;

    /** What --from kept, null for a run without one (or a resumed run: its weights come from its own checkpoint). */
    public Transfer transfer() { return transferred; }

    /**
     * The run of {@code checkpoint} continued with {@code config} (normally the checkpoint's own,
     * perhaps with more epochs): a tensor whose shape disagrees with the model is named.
     */
    public static Training resume(TrainConfig config, Dataset.Split data, Checkpoint checkpoint) {
        Training t = new Training(config, data);
        t.restore(checkpoint);
        return t;
    }

    /** The datasets a config trains, validates and tests on: --val-split holds out a stratified share of the training set. */
    public record Splits(Dataset train, Dataset validation, Dataset test, boolean validationIsTest) {
        public static Splits of(TrainConfig config, Dataset.Split data) {
            if (config.valSplit() > 0) {
                Dataset.Split s = data.train().stratifiedSplit(config.valSplit(), Rng.mix(config.seed(), VALIDATION_SPLIT_STREAM, 0));
                return new Splits(s.train(), s.test(), data.test(), false);
            }
            return new Splits(data.train(), data.test(), data.test(), true);
        }
    }

    /** The model a config describes for a training set: --model, or {@code <inputs>-64-<classes>}; sizes checked against the data. */
    public static ModelSpec spec(TrainConfig config, Dataset train) {
        int[] sizes = config.model() == null
                ? new int[] {train.dim(), DEFAULT_HIDDEN, train.numClasses()}
                : ModelSpec.parseSizes(config.model());
        if (sizes[0] != train.dim()) {
            throw new IllegalArgumentException("model " + config.model() + " takes " + sizes[0] + " inputs but " + train.name() + " has "
                    + train.dim() + " features; start the model with " + train.dim());
        }
        if (sizes[sizes.length - 1] != train.numClasses()) {
            throw new IllegalArgumentException("model " + config.model() + " has " + sizes[sizes.length - 1] + " outputs but "
                    + train.name() + " has " + train.numClasses() + " classes; end the model with " + train.numClasses());
        }
        return new ModelSpec(sizes, config.activation(), config.loss(), config.dropout(), config.batchNorm());
    }

    // ---------------------------------------------------------------- training

    /** True when every epoch is done or early stopping has stopped the run. */
    public boolean finished() {
        return stopped || epoch >= config.epochs();
    }

    /**
     * Tells {@code listener} of every epoch and step from now on (see {@link TrainingListener}): the progress bar,
     * the metrics log, TensorBoard, a tuner's pruning. The run's divergence check is always the first.
     */
    public Training addListener(TrainingListener listener) {
        loop.addListener(listener);
        return this;
    }

    /** Trains the next epoch, validates, updates the schedule and the best epoch; returns the epoch's record. */
    public EpochMetrics trainEpoch() {
        if (finished()) throw new IllegalStateException("the run is finished (" + epoch + " epochs" + (stopped ? ", stopped early" : "") + ")");
        int e = epoch;
        startEpoch(e);
        EpochMetrics record = loop.epoch(e + 1, (long) e * loader.batches(), batches, engine == null ? trainer : engine,
                sgd.learningRate(), () -> {
                    Evaluator.Evaluation v = validator.run(false);
                    return new EpochLoop.Measured(v.loss(), v.accuracy());
                });
        afterEpoch(record, false);
        if (loop.stopRequested()) stopped = true;
        return record;
    }

    /**
     * One step on the next minibatch, going on into the next epoch's order when one ends (the
     * learning-rate range test's loop); returns the batch's loss. Records no history.
     */
    public double stepNextBatch() {
        if (loader.epoch() < 0 || !batches.next()) {
            startEpoch(loader.epoch() + 1);
            batches.next();
        }
        return step(batches.x(), batches.y());
    }

    /** The loader's batches, with the targets the loss takes: class indices as floats, or one-hot rows. */
    private final class LoaderBatches implements EpochLoop.Batches<Tensor> {
        private Tensor target;

        @Override public int batches() { return loader.batches(); }
        @Override public Tensor x() { return loader.x(); }
        @Override public Tensor y() { return target; }
        @Override public int rows() { return loader.size(); }

        @Override
        public boolean next() {
            if (!loader.next()) return false;
            target = spec.indexTargets() ? labelsAsFloats(loader.y(), loader.size(), labels) : loader.oneHot();
            return true;
        }
    }

    private double step(Tensor x, Tensor target) {
        return engine == null ? trainer.step(x, target) : engine.step(x, target);
    }

    /**
     * Runs the training steps on {@code engine} from now on (null: the CPU again). Install it after
     * {@link #restore}: the engine starts from the network and optimizer state as they are.
     */
    public void setStepEngine(StepEngine<Tensor> engine) {
        this.engine = engine;
    }

    /** The order and the dropout masks of epoch e (0-based): functions of (seed, e) only. */
    private void startEpoch(int e) {
        loader.startEpoch(e);
        for (int i = 0; i < dropouts.size(); i++) {
            long seed = Rng.mix(config.seed(), DROPOUT_STREAM, ((long) e << 16) + i);
            dropouts.get(i).reseed(seed);
            if (engine != null) engine.dropoutReseeded(dropouts.get(i), seed);
        }
    }

    /** Bookkeeping after an epoch (also replayed from the history when resuming). */
    private void afterEpoch(EpochMetrics record, boolean replay) {
        history.add(record);
        epoch = record.epoch();
        if (schedule != null) sgd.setLearningRate(schedule.next(record.epoch() - 1, record.valLoss(), sgd.learningRate()));
        if (record.valLoss() < bestValLoss) {
            bestValLoss = record.valLoss();
            bestEpoch = record.epoch();
            if (!replay && config.earlyStopping() > 0) bestState = copyOf(Checkpoint.modelState(net));
        }
        if (config.earlyStopping() > 0 && record.epoch() - bestEpoch >= config.earlyStopping()) stopped = true;
    }

    /** Puts the weights of the best epoch back (with early stopping; else a no-op). */
    public void restoreBest() {
        if (bestState == null) return;
        Map<String, Tensor> live = Checkpoint.modelState(net);
        bestState.forEach((k, v) -> live.get(k).copyFrom(v));
    }

    /** {@code labels[0, rows)} as floats into a reused [rows] tensor: the class-index targets of ce, nll, hinge. */
    static Tensor labelsAsFloats(int[] labels, int rows, BatchBuffer buffer) {
        Tensor t = buffer.get(rows);
        float[] d = t.data();
        for (int r = 0; r < rows; r++) d[t.offset() + r] = labels[r];
        return t;
    }

    private static Map<String, Tensor> copyOf(Map<String, Tensor> state) {
        Map<String, Tensor> c = new LinkedHashMap<>();
        state.forEach((k, v) -> c.put(k, v.copy()));
        return c;
    }

    // ---------------------------------------------------------------- checkpoints

    /** The run's whole state, to write to a file (the format is {@link Checkpoint}'s). */
    public Checkpoint checkpoint() {
        return Checkpoint.of(this);
    }

    /** Copies of the weights of the best epoch (with early stopping), else null. */
    Map<String, Tensor> bestState() { return bestState; }

    /** JSON of the base this run started from (--from), else null. */
    String transferJson() { return transfer; }

    /**
     * Continues the run of {@code ck}: its weights, BatchNorm statistics, momentum buffers,
     * learning rate, epoch and history. A tensor whose shape disagrees with this model is named.
     */
    public void restore(Checkpoint ck) {
        String model = spec.modelString();
        ck.loadModel(net, model);
        transfer = ck.metadata().get("transfer");
        ck.loadOptimizer(net, sgd);
        // replay the history: the schedule's and early stopping's counters come out as they were
        int e = ck.epoch();
        List<EpochMetrics> past = ck.history();
        if (past.size() != e) throw new IllegalArgumentException(ck.source() + ": epoch " + e + " but " + past.size() + " history records");
        for (EpochMetrics r : past) afterEpoch(r, true);
        if (!past.isEmpty()) divergence.trainLoss(past.get(0).epoch(), past.get(0).trainLoss());
        epoch = e;
        sgd.setLearningRate(ck.learningRate());
        if (config.earlyStopping() > 0 && bestEpoch > 0) {
            boolean hasBest = ck.hasBestState();
            if (bestEpoch != e && !hasBest) {
                // a run saved without early stopping kept no best weights: count from the resumed epoch
                bestEpoch = e;
                bestValLoss = past.get(e - 1).valLoss();
                stopped = false;
            }
            bestState = bestEpoch == e ? copyOf(Checkpoint.modelState(net)) : ck.bestState(spec);
        }
    }

    // ---------------------------------------------------------------- what a caller reads

    public TrainConfig config() { return config; }
    public ModelSpec spec() { return spec; }
    public Network network() { return net; }
    public Loss loss() { return loss; }
    public Sgd optimizer() { return sgd; }
    public Normalization normalization() { return normalization; }
    public Dataset trainSet() { return train; }
    public Dataset validationSet() { return validation; }
    public Dataset testSet() { return test; }
    /** True when no --val-split was given and the test set validates. */
    public boolean validationIsTest() { return validationIsTest; }
    public int epoch() { return epoch; }
    /** Batches in one epoch of this run's training set. */
    public int batchesPerEpoch() { return loader.batches(); }
    public boolean stoppedEarly() { return stopped; }
    public int bestEpoch() { return bestEpoch; }
    public double bestValLoss() { return bestValLoss; }
    public List<EpochMetrics> history() { return Collections.unmodifiableList(history); }
    public Loader loader() { return loader; }

    /** An evaluator of the current network on {@code data} with the run's normalization. */
    public Evaluator evaluator(Dataset data) {
        return data == validation ? validator : new Evaluator(spec, net, loss, data, normalization);
    }

    /** The image shape of the data, if its rows are images. */
    public java.util.Optional<ImageShape> imageShape() { return train.imageShape(); }
}
