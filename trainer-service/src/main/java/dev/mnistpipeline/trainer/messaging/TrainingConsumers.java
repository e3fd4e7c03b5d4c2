package dev.mnistpipeline.trainer.messaging;

import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
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

/**
 * training.requested → train → model.trained. With {@code pipeline.trainer.auto-train.enabled}, every
 * dataset.prepared also requests a run with the configured hyperparameters.
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
        if (!autoTrain) {
            return;
        }
        Hyperparameters hp = TrainingRules.validate(Json.read(autoTrainHyperparameters, Hyperparameters.class));
        // Deterministic run id: a redelivered dataset.prepared requests the same run, which trains once.
        String runId = Sha256.shortId("auto", prepared.preparedId() + "|" + Json.write(hp));
        LOG.infof("Auto-training %s on %s", runId, prepared.preparedId());
        publisher.publishOnce(trainingRequested, new TrainingRequested(EventTypes.SCHEMA_VERSION, runId,
                prepared.preparedId(), hp, Instant.now()));
    }
}
