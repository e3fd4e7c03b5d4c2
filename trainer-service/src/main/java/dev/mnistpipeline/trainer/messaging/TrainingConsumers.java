package dev.mnistpipeline.trainer.messaging;

import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.registry.ModelRegistry;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.trainer.domain.ModelTrainer;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Optional;

/**
 * training.requested → train → model.trained. A new dataset.prepared requests a run too: with
 * {@code pipeline.trainer.continuous.enabled} and a champion in the registry, a fine-tuning of the champion on
 * the new data (continuous training); otherwise, with {@code pipeline.trainer.auto-train.enabled}, a run from
 * scratch with the configured hyperparameters.
 */
@ApplicationScoped
public class TrainingConsumers {
    private static final Logger LOG = Logger.getLogger(TrainingConsumers.class);

    @Inject
    ModelTrainer trainer;

    @Inject
    EventPublisher publisher;

    @Inject
    @Channel(Topics.Channels.TRAINING_REQUESTED_OUT)
    MutinyEmitter<String> trainingRequested;

    @ConfigProperty(name = "pipeline.trainer.auto-train.enabled", defaultValue = "false")
    boolean autoTrain;

    @ConfigProperty(name = "pipeline.trainer.auto-train.hyperparameters", defaultValue = "{}")
    String autoTrainHyperparameters;

    @ConfigProperty(name = "pipeline.trainer.continuous.enabled", defaultValue = "false")
    boolean continuous;

    @ConfigProperty(name = "pipeline.trainer.continuous.hyperparameters", defaultValue = "{}")
    String continuousHyperparameters;

    @Inject
    ObjectStore store;

    // The message stays unacknowledged while the run trains: a crash means redelivery, not a lost run.
    @Incoming(Topics.Channels.TRAINING_REQUESTED)
    @Blocking
    public void onTrainingRequested(String payload) {
        trainer.train(Events.parse(payload, TrainingRequested.class));
    }

    @Incoming(Topics.Channels.DATASET_PREPARED)
    @Blocking
    public void onDatasetPrepared(String payload) {
        DatasetPrepared prepared = Events.parse(payload, DatasetPrepared.class);
        Optional<Hyperparameters> fineTune = continuous ? fineTuneChampion() : Optional.empty();
        if (fineTune.isEmpty() && !autoTrain) {
            return;
        }
        Hyperparameters hp = fineTune.orElseGet(() -> TrainingRules.validate(Json.read(autoTrainHyperparameters, Hyperparameters.class)));
        // Deterministic run id: a redelivered dataset.prepared requests the same run, which trains once.
        String runId = Sha256.shortId("auto", prepared.preparedId() + "|" + Json.write(hp));
        LOG.infof("%s %s on %s", fineTune.isPresent() ? "Fine-tuning the champion " + hp.baseModelId() + " as" : "Auto-training",
                runId, prepared.preparedId());
        publisher.publishOnce(trainingRequested, new TrainingRequested(EventTypes.SCHEMA_VERSION, runId,
                prepared.preparedId(), hp, Instant.now()));
    }

    /** The continuous-training settings on top of the champion's architecture, starting from its weights. */
    private Optional<Hyperparameters> fineTuneChampion() {
        return ModelRegistry.champion(store)
                .flatMap(c -> store.findJson(ObjectKeys.modelManifest(c.modelId()), ModelManifest.class))
                .map(champion -> {
                    Hyperparameters configured = Json.read(continuousHyperparameters, Hyperparameters.class);
                    Hyperparameters base = new Hyperparameters(champion.hyperparameters().architecture(), configured.epochs(),
                            configured.batchSize(), configured.learningRate(), configured.optimizer(), configured.loss(),
                            configured.seed(), champion.hyperparameters().activation(), configured.schedule(),
                            configured.weightDecay(), configured.earlyStoppingPatience(), configured.augmentation(),
                            champion.modelId(), configured.freeze());
                    return TrainingRules.validate(base);
                });
    }
}
