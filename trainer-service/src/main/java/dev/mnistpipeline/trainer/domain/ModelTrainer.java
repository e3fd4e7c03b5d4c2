package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.data.Augmenter;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Npz;
import dev.mnistpipeline.common.data.InvalidDataException;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.data.Permutation;
import dev.mnistpipeline.common.data.PreparedSplit;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.ModelManifest.EpochSummary;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import dev.mnistpipeline.trainer.model.Architectures;
import dev.mnistpipeline.trainer.model.ModelState;
import dev.mnistpipeline.trainer.model.ServingGraph;
import dev.mnistpipeline.trainer.domain.Checkpoints.TrainingCheckpoint;
import dev.mnistpipeline.trainer.model.TrainingGraph;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a prepared dataset becomes a model: builds the TensorFlow graph, trains it with shuffled mini-batches,
 * streams step and epoch metrics, exports a SavedModel to storage and announces {@code model.trained}.
 * The model id derives from the run id, so a redelivered request finds the model and trains nothing twice.
 */
@ApplicationScoped
public class ModelTrainer {
    private static final Logger LOG = Logger.getLogger(ModelTrainer.class);

    @Inject
    ObjectStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    @Channel(Topics.Channels.MODEL_TRAINED)
    MutinyEmitter<String> modelTrained;

    @Inject
    @Channel(Topics.Channels.TRAINING_METRICS)
    MutinyEmitter<String> trainingMetrics;

    @ConfigProperty(name = "pipeline.trainer.metrics-every-steps", defaultValue = "25")
    int metricsEverySteps;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String codeVersion;

    @Inject
    TrainingGauges gauges;

    @Inject
    Checkpoints checkpoints;

    @Inject
    BaseModels baseModels;

    @Inject
    TrainerDevice device;

    @ConfigProperty(name = "pipeline.trainer.checkpoints.enabled", defaultValue = "true")
    boolean checkpointsEnabled;

    /** Latest progress per run seen by this instance, for {@code GET /trainings/{runId}}. */
    private final Map<String, TrainingMetrics> progress = new ConcurrentHashMap<>();

    public static String modelId(String runId) {
        return "model-" + runId;
    }

    public TrainingMetrics progress(String runId) {
        return progress.get(runId);
    }

    public ModelManifest train(TrainingRequested request) {
        if (request.runId() == null || !request.runId().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) {
            throw new InvalidDataException("runId must be 1-101 letters, digits, '.', '_' or '-', got " + request.runId());
        }
        Hyperparameters hp = TrainingRules.validate(request.hyperparameters());
        String modelId = modelId(request.runId());
        var existing = store.findJson(ObjectKeys.modelManifest(modelId), ModelManifest.class);
        if (existing.isPresent()) {
            LOG.infof("Run %s already produced %s; not training again", request.runId(), modelId);
            publish(existing.get());
            return existing.get();
        }
        String preparedId = request.preparedId() != null ? request.preparedId()
                : store.findText(ObjectKeys.LATEST_PREPARED).orElseThrow(() -> new InvalidDataException("no prepared dataset yet; ingest one first"));
        PreparedManifest prepared = store.findJson(ObjectKeys.preparedManifest(preparedId), PreparedManifest.class)
                .orElseThrow(() -> new InvalidDataException("no prepared dataset " + preparedId));
        try {
            ModelManifest manifest = run(request.runId(), modelId, hp, prepared);
            publish(manifest);
            metric(request.runId(), "completed", hp.epochs(), hp.epochs(), 0, 0, 0, 0, manifest.validationAccuracy(), manifest.imagesPerSecond(), null);
            return manifest;
        } catch (RuntimeException e) {
            metric(request.runId(), "failed", 0, hp.epochs(), 0, 0, 0, 0, null, 0, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    private ModelManifest run(String runId, String modelId, Hyperparameters requested, PreparedManifest prepared) {
        Augmentation augmentation = requested.augmentation() != null ? requested.augmentation()
                : prepared.settings().augmentation() != null ? prepared.settings().augmentation() : Augmentation.NONE;
        Hyperparameters hp = requested.withAugmentation(augmentation);
        Augmenter augmenter = augmentation.isNone() ? null : new Augmenter(augmentation);
        int classes = BaseModels.classes(prepared.classCounts());
        Map<String, float[]> baseWeights = hp.baseModelId() == null ? null : baseModels.weights(hp);
        boolean frozen = hp.freeze().equals("features");
        TensorFlowRuntime.engine();
        PreparedSplit train = PreparedSplit.load(store, prepared, PreparedManifest.TRAIN);
        PreparedSplit validation = PreparedSplit.load(store, prepared, PreparedManifest.VALIDATION);
        if (hp.earlyStoppingPatience() > 0 && validation.count() == 0) {
            throw new InvalidDataException("earlyStoppingPatience needs a validation split, and " + prepared.preparedId() + " has none");
        }
        int batch = hp.batchSize();
        long stepsPerEpoch = (train.count() + batch - 1) / batch;
        long totalSteps = stepsPerEpoch * hp.epochs();
        LOG.infof("Run %s: %s on %s (%d train, %d validation) on the %s, %s", runId, hp.architecture(), prepared.preparedId(),
                train.count(), validation.count(), device.device().toUpperCase(), hp);
        Optional<TrainingCheckpoint> resumed = checkpointsEnabled
                ? checkpoints.find(runId, prepared.preparedId(), hp) : Optional.empty();
        if (resumed.isEmpty()) {
            metric(runId, "started", 0, hp.epochs(), 0, totalSteps, 0, 0, null, 0, null);
        }

        List<EpochSummary> history = new ArrayList<>();
        double keptValidation = -1; // set when early stopping restored an earlier epoch
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        long trainStart = System.nanoTime();
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, Architectures.find(hp.architecture()).orElseThrow(), hp,
                    prepared.pixelMean(), prepared.pixelStd(), classes);
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph, device.sessionConfig())) {
                session.initialize();
                if (baseWeights != null && resumed.isEmpty()) {
                    List<String> copied = state.writeMatching(session, baseWeights);
                    LOG.infof("Run %s: started from %s (%d of %d variables%s)", runId, hp.baseModelId(), copied.size(),
                            g.modelVariables.size(), frozen ? ", feature layers frozen" : "");
                }
                double bestValidation = -1;
                int bestEpoch = 0;
                Map<String, float[]> best = null;
                StoredObject bestStored = null;
                float[] xb = new float[batch * Idx.PIXELS];
                int[] yb = new int[batch];
                long step = 0;
                int firstEpoch = 1;
                if (resumed.isPresent()) {
                    TrainingCheckpoint cp = resumed.get();
                    state.write(session, checkpoints.load(cp.state()));
                    history.addAll(cp.history());
                    firstEpoch = cp.epoch() + 1;
                    step = cp.step();
                    if (cp.best() != null) {
                        best = checkpoints.load(cp.best());
                        bestStored = cp.best();
                        bestEpoch = cp.bestEpoch();
                        bestValidation = cp.bestValidation();
                    }
                    LOG.infof("Run %s: resuming after epoch %d from its checkpoint (step %d)", runId, cp.epoch(), step);
                    metric(runId, "resumed", cp.epoch(), hp.epochs(), step, totalSteps, 0, 0, null, 0,
                            "resumed after epoch " + cp.epoch() + " from checkpoint");
                }
                for (int epoch = firstEpoch; epoch <= hp.epochs() && !stopEarly(hp, epoch - 1, bestEpoch); epoch++) {
                    long epochStart = System.nanoTime();
                    int[] order = Permutation.of(train.count(), hp.seed() * 31 + epoch);
                    double lossSum = 0, accSum = 0;
                    long windowStart = System.nanoTime();
                    int windowImages = 0;
                    for (int from = 0; from < train.count(); from += batch) {
                        int size = Math.min(batch, train.count() - from);
                        // Seeded by (run seed, step): a resumed run draws the same transforms.
                        Random draws = augmenter == null ? null : new Random(hp.seed() * 1_000_003L + step);
                        for (int i = 0; i < size; i++) {
                            int src = order[from + i];
                            if (augmenter == null) {
                                System.arraycopy(train.images(), src * Idx.PIXELS, xb, i * Idx.PIXELS, Idx.PIXELS);
                            } else {
                                augmenter.augment(train.images(), src * Idx.PIXELS, xb, i * Idx.PIXELS, draws);
                            }
                            yb[i] = train.labels()[src];
                        }
                        float[] stepResult;
                        try (TFloat32 lr = TFloat32.scalarOf((float) TrainingRules.learningRate(hp, step, totalSteps))) {
                            stepResult = step(session, g, xb, yb, size, lr);
                        }
                        if (!Float.isFinite(stepResult[0])) {
                            throw new IllegalStateException("loss became " + stepResult[0] + " at step " + step + "; lower the learning rate");
                        }
                        lossSum += stepResult[0] * size;
                        accSum += stepResult[1] * size;
                        step++;
                        windowImages += size;
                        if (step % metricsEverySteps == 0) {
                            double ips = windowImages / ((System.nanoTime() - windowStart) / 1e9);
                            metric(runId, "step", epoch, hp.epochs(), step, totalSteps, stepResult[0], stepResult[1], null, ips, null);
                            windowStart = System.nanoTime();
                            windowImages = 0;
                        }
                    }
                    double seconds = (System.nanoTime() - epochStart) / 1e9;
                    double valAcc = accuracy(session, g, validation, batch);
                    EpochSummary summary = new EpochSummary(epoch, lossSum / train.count(), accSum / train.count(), valAcc, seconds);
                    history.add(summary);
                    LOG.infof("Run %s epoch %d/%d: loss %.4f, train acc %.4f, validation acc %.4f, %.1f s (%.0f img/s)",
                            runId, epoch, hp.epochs(), summary.loss(), summary.accuracy(), valAcc, seconds, train.count() / seconds);
                    metric(runId, "epoch", epoch, hp.epochs(), step, totalSteps, summary.loss(), summary.accuracy(), valAcc, train.count() / seconds, null);
                    Map<String, float[]> current = hp.earlyStoppingPatience() > 0 || checkpointsEnabled ? state.read(session) : null;
                    if (hp.earlyStoppingPatience() > 0 && valAcc > bestValidation) {
                        bestValidation = valAcc;
                        bestEpoch = epoch;
                        best = current;
                    }
                    if (checkpointsEnabled) {
                        StoredObject saved = checkpoints.saveState(runId, "state-" + epoch, current);
                        bestStored = bestEpoch == epoch ? saved : bestStored;
                        checkpoints.save(new TrainingCheckpoint(EventTypes.SCHEMA_VERSION, runId, prepared.preparedId(), hp,
                                epoch, step, List.copyOf(history), saved, bestStored, bestEpoch, bestValidation, Instant.now()));
                    }
                    if (stopEarly(hp, epoch, bestEpoch) && epoch < hp.epochs()) {
                        LOG.infof("Run %s: no better validation accuracy for %d epochs; stopping early, keeping epoch %d (%.4f)",
                                runId, hp.earlyStoppingPatience(), bestEpoch, bestValidation);
                    }
                }
                if (best != null && bestEpoch != history.size()) {
                    state.write(session, best);
                    keptValidation = bestValidation;
                }
                Map<String, float[]> all = state.read(session);
                g.modelVariables.forEach(name -> weights.put(name, all.get(name)));
            }
        }
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        double imagesPerSecond = (double) train.count() * history.size() / history.stream().mapToDouble(EpochSummary::seconds).sum();
        Path exportDir = export(hp, prepared, classes, weights);
        List<StoredObject> files = store.uploadDirectory(ObjectKeys.savedModelPrefix(modelId), exportDir);
        StoredObject weightsObject = store.put(ObjectKeys.modelWeights(modelId), Npz.write(weights), "application/zip");
        LocalFiles.deleteTree(exportDir);
        ModelManifest manifest = new ModelManifest(EventTypes.SCHEMA_VERSION, modelId, runId, prepared.datasetId(),
                prepared.preparedId(), hp.baseModelId(), codeVersion, hp, "tensorflow-2.16", TrainingGraph.SIGNATURE_KEY, TrainingGraph.INPUT,
                TrainingGraph.OUTPUT, classes, files, weightsObject, history, keptValidation >= 0 ? keptValidation : history.get(history.size() - 1).validationAccuracy(),
                trainSeconds, imagesPerSecond, Instant.now());
        store.putJson(ObjectKeys.modelManifest(modelId), manifest);
        if (checkpointsEnabled) {
            checkpoints.delete(runId);
        }
        return manifest;
    }

    /** Early stopping: {@code patience} epochs have passed since the best validation accuracy. */
    private static boolean stopEarly(Hyperparameters hp, int epochsDone, int bestEpoch) {
        return hp.earlyStoppingPatience() > 0 && bestEpoch > 0 && epochsDone - bestEpoch >= hp.earlyStoppingPatience();
    }

    /** One optimizer step; returns {loss, accuracy} of the batch. */
    private static float[] step(Session session, TrainingGraph g, float[] xb, int[] yb, int size, TFloat32 learningRate) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(size, 28, 28, 1), DataBuffers.of(xb, true, false).narrow(size * (long) Idx.PIXELS));
             TInt32 y = TInt32.tensorOf(Shape.of(size), DataBuffers.of(yb, true, false).narrow(size));
             Result r = session.runner().feed(g.images, x).feed(g.labels, y).feed(g.learningRate, learningRate)
                     .addTarget(g.trainStep).fetch(g.loss).fetch(g.trainAccuracy).run()) {
            return new float[]{((TFloat32) r.get(0)).getFloat(), ((TFloat32) r.get(1)).getFloat()};
        }
    }

    /** Accuracy over a whole split, in batches, dropout off. */
    private static double accuracy(Session session, TrainingGraph g, PreparedSplit split, int batch) {
        double correct = 0;
        for (int from = 0; from < split.count(); from += batch) {
            int size = Math.min(batch, split.count() - from);
            float[] xb = new float[size * Idx.PIXELS];
            System.arraycopy(split.images(), from * Idx.PIXELS, xb, 0, xb.length);
            int[] yb = new int[size];
            for (int i = 0; i < size; i++) {
                yb[i] = split.labels()[from + i];
            }
            try (TFloat32 x = TFloat32.tensorOf(Shape.of(size, 28, 28, 1), DataBuffers.of(xb, true, false));
                 TInt32 y = TInt32.tensorOf(Shape.of(size), DataBuffers.of(yb, true, false));
                 Result r = session.runner().feed(g.images, x).feed(g.labels, y).fetch(g.accuracy).run()) {
                correct += ((TFloat32) r.get(0)).getFloat() * size;
            }
        }
        return split.count() == 0 ? 0 : correct / split.count();
    }

    /**
     * Exports the serving graph (batch norm from moving averages, no dropout, no optimizer) with the trained
     * variables copied in by name, so inference computes nothing it does not need.
     */
    private Path export(Hyperparameters hp, PreparedManifest prepared, int classes, Map<String, float[]> weights) {
        try (Graph graph = new Graph()) {
            ServingGraph serving = new ServingGraph(graph, Architectures.find(hp.architecture()).orElseThrow(), hp,
                    prepared.pixelMean(), prepared.pixelStd(), classes);
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph, device.sessionConfig())) {
                session.initialize();
                List<String> written = state.writeMatching(session, weights);
                if (written.size() != state.names().size()) {
                    throw new IllegalStateException("serving graph has variables the training graph did not: "
                            + state.names().stream().filter(n -> !written.contains(n)).toList());
                }
                Path dir = Files.createTempDirectory("savedmodel-");
                Files.delete(dir); // the exporter creates it
                SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(serving.signature()).export();
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("SavedModel export failed", e);
            }
        }
    }

    private void publish(ModelManifest m) {
        String key = ObjectKeys.modelManifest(m.modelId());
        publisher.publishOnce(modelTrained, new ModelTrained(EventTypes.SCHEMA_VERSION, m.modelId(), m.runId(),
                m.preparedId(), m.datasetId(), m.hyperparameters(), ObjectKeys.savedModelPrefix(m.modelId()), key,
                Sha256.hex(store.get(key)), m.validationAccuracy(), m.trainSeconds(), m.imagesPerSecond(), m.createdAt()));
    }

    private void metric(String runId, String phase, int epoch, int epochs, long step, long totalSteps, double loss,
                        double accuracy, Double validationAccuracy, double imagesPerSecond, String message) {
        TrainingMetrics m = new TrainingMetrics(EventTypes.SCHEMA_VERSION, runId, phase, epoch, epochs, step, totalSteps,
                loss, accuracy, validationAccuracy, imagesPerSecond, message, Instant.now());
        progress.put(runId, m);
        gauges.record(m);
        try {
            publisher.send(trainingMetrics, m);
        } catch (RuntimeException e) {
            // Metrics are for dashboards; a lost one must not fail the run.
            LOG.warnf("Could not publish %s metrics for %s: %s", phase, runId, e.getMessage());
        }
    }


}
