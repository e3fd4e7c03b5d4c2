package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.data.Augmenter;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.drift.InputProfile;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import dev.mnistpipeline.trainer.domain.Checkpoints.TrainingCheckpoint;
import dev.mnistpipeline.trainer.domain.ModelExporter.TrainedRun;
import dev.mnistpipeline.trainer.model.Architectures;
import dev.mnistpipeline.trainer.model.ModelState;
import dev.mnistpipeline.trainer.model.TrainingGraph;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.tensorflow.Graph;
import org.tensorflow.Session;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run's training session: its prepared dataset, graph and TensorFlow session on this trainer's device, a fresh
 * start (from a base model's weights when it fine-tunes) or a resume from its last checkpoint, then the
 * {@link TrainingLoop} with a checkpoint after every epoch. What it returns is handed to the {@link ModelExporter}.
 */
@ApplicationScoped
public class TrainingSessions {
    private static final Logger LOG = Logger.getLogger(TrainingSessions.class);

    private final ObjectStore store;
    private final Checkpoints checkpoints;
    private final BaseModels baseModels;
    private final TrainerDevice device;
    private final int metricsEverySteps;
    private final boolean checkpointsEnabled;

    public TrainingSessions(ObjectStore store, Checkpoints checkpoints, BaseModels baseModels, TrainerDevice device,
                            @ConfigProperty(name = "pipeline.trainer.metrics-every-steps", defaultValue = "25") int metricsEverySteps,
                            @ConfigProperty(name = "pipeline.trainer.checkpoints.enabled", defaultValue = "true") boolean checkpointsEnabled) {
        this.store = store;
        this.checkpoints = checkpoints;
        this.baseModels = baseModels;
        this.device = device;
        this.metricsEverySteps = metricsEverySteps;
        this.checkpointsEnabled = checkpointsEnabled;
    }

    /** A run's checkpoints are no longer needed: it produced its model, or was cancelled. */
    public void discardCheckpoints(String runId) {
        if (checkpointsEnabled) {
            checkpoints.delete(runId);
        }
    }

    /** Trains the run to its end (or its cancellation), resuming from its checkpoint when it has one. */
    public TrainedRun train(AcceptedRun run, RunReporter reporter, RunLeases.Lease lease, RunCancellations.Watch watch) {
        PreparedManifest prepared = Json.read(store.getVerified(ObjectKeys.preparedManifest(run.preparedId()),
                run.preparedSha256()), PreparedManifest.class);
        Hyperparameters hp = withAugmentation(run.hyperparameters(), prepared);
        int classes = BaseModels.classes(prepared.classCounts());
        Map<String, float[]> baseWeights = hp.baseModelId() == null ? null : baseModels.weights(hp);
        TensorFlowRuntime.engine();
        PreparedSplit train = PreparedSplit.load(store, prepared, PreparedManifest.TRAIN);
        PreparedSplit validation = PreparedSplit.load(store, prepared, PreparedManifest.VALIDATION);
        if (hp.earlyStoppingPatience() > 0 && validation.count() == 0) {
            throw new InvalidDataException("earlyStoppingPatience needs a validation split, and " + prepared.preparedId() + " has none");
        }
        LOG.infof("Run %s: %s on %s (%d train, %d validation) on the %s, %s", run.runId(), hp.architecture(),
                prepared.preparedId(), train.count(), validation.count(), device.device().toUpperCase(), hp);
        Optional<TrainingCheckpoint> resumed = checkpointsEnabled
                ? checkpoints.find(run.runId(), prepared.preparedId(), hp) : Optional.empty();
        long trainStart = System.nanoTime();
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, Architectures.of(hp), hp,
                    prepared.pixelMean(), prepared.pixelStd(), classes);
            ModelState variables = new ModelState(graph);
            try (Session session = new Session(graph, device.sessionConfig(hp.precision()))) {
                session.initialize();
                AccuracyChecks checks = hp.accuracyCheckEverySteps() > 0
                        ? new AccuracyChecks(g, session, PreparedSplit.load(store, prepared, PreparedManifest.TEST),
                                hp.accuracyCheckEverySteps(), trainStart)
                        : AccuracyChecks.none();
                RunProgress start = resumed.map(cp -> resume(run, cp, session, variables, hp, train.count(), reporter))
                        .orElseGet(() -> begin(run, hp, baseWeights, session, variables, g, train.count(), reporter));
                TrainingLoop loop = new TrainingLoop(new TrainingLoop.Setup(g, session, variables, hp,
                        augmenter(hp), reporter, metricsEverySteps, checkpointsEnabled, watch::check, checks));
                CheckpointWriter writer = new CheckpointWriter(run.runId(), prepared.preparedId(), hp,
                        resumed.map(TrainingCheckpoint::best).orElse(null), lease);
                RunProgress done = loop.fit(run.runId(), train, validation, start, writer);
                Map<String, float[]> all = variables.read(session);
                Map<String, float[]> weights = new LinkedHashMap<>();
                g.modelVariables.forEach(name -> weights.put(name, all.get(name)));
                return new TrainedRun(run, hp, prepared, classes, weights, done,
                        (System.nanoTime() - trainStart - checks.checkNanos()) / 1e9,
                        InputProfile.of(train.images(), train.labels(), train.count(), classes));
            }
        }
    }

    /** The request's augmentation, else the prepared dataset's policy, else none. */
    private static Hyperparameters withAugmentation(Hyperparameters hp, PreparedManifest prepared) {
        Augmentation applied = hp.augmentation() != null ? hp.augmentation()
                : prepared.settings().augmentation() != null ? prepared.settings().augmentation() : Augmentation.NONE;
        return hp.toBuilder().augmentation(applied).build();
    }

    private static Augmenter augmenter(Hyperparameters hp) {
        return hp.augmentation().isNone() ? null : new Augmenter(hp.augmentation());
    }

    private RunProgress begin(AcceptedRun run, Hyperparameters hp, Map<String, float[]> baseWeights, Session session,
                              ModelState variables, TrainingGraph g, int trainImages, RunReporter reporter) {
        if (baseWeights != null) {
            List<String> copied = variables.writeMatching(session, baseWeights);
            LOG.infof("Run %s: started from %s (%d of %d variables%s)", run.runId(), hp.baseModelId(), copied.size(),
                    g.modelVariables.size(), hp.freeze() == Hyperparameters.Freeze.FEATURES ? ", feature layers frozen" : "");
        }
        reporter.started(TrainingLoop.totalSteps(hp, trainImages));
        return RunProgress.fresh();
    }

    private RunProgress resume(AcceptedRun run, TrainingCheckpoint cp, Session session, ModelState variables,
                               Hyperparameters hp, int trainImages, RunReporter reporter) {
        variables.write(session, checkpoints.load(cp.state()));
        LOG.infof("Run %s: resuming after epoch %d from its checkpoint (step %d)", run.runId(), cp.epoch(), cp.step());
        reporter.resumed(cp.epoch(), cp.step(), TrainingLoop.totalSteps(hp, trainImages));
        return new RunProgress(cp.history(), cp.step(), cp.best() == null ? 0 : cp.bestEpoch(),
                cp.best() == null ? -1 : cp.bestValidation(), cp.best() == null ? null : checkpoints.load(cp.best()));
    }

    /** After every epoch: the variables, then the checkpoint naming them (and the best epoch's, with early stopping). */
    private final class CheckpointWriter implements TrainingLoop.EpochEnd {
        private final String runId;
        private final String preparedId;
        private final Hyperparameters hp;
        private final RunLeases.Lease lease;
        private StoredObject bestStored;

        CheckpointWriter(String runId, String preparedId, Hyperparameters hp, StoredObject bestStored, RunLeases.Lease lease) {
            this.runId = runId;
            this.preparedId = preparedId;
            this.hp = hp;
            this.bestStored = bestStored;
            this.lease = lease;
        }

        @Override
        public void accept(RunProgress p, Map<String, float[]> variables) {
            lease.check(); // a trainer that lost the run stops here, before it writes anything
            if (!checkpointsEnabled) {
                return;
            }
            int epoch = p.epochsDone();
            StoredObject saved = checkpoints.saveState(runId, "state-" + epoch, variables);
            bestStored = p.bestEpoch == epoch ? saved : bestStored;
            checkpoints.save(new TrainingCheckpoint(runId, preparedId, hp, epoch, p.step, p.history(), saved,
                    bestStored, p.bestEpoch, p.bestValidation, Instant.now()));
        }
    }
}
