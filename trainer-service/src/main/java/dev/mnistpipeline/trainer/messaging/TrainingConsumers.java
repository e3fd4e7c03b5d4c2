package dev.mnistpipeline.trainer.messaging;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.trainer.domain.ContinuousTraining;
import dev.mnistpipeline.trainer.domain.ModelTrainer;
import dev.mnistpipeline.trainer.domain.TrainingRequests;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.temporal.ChronoUnit;

/** training.requested → accept → train → model.trained; dataset.prepared → continuous or auto training, if configured. */
@ApplicationScoped
public class TrainingConsumers {
    private final TrainingRequests requests;
    private final ModelTrainer trainer;
    private final ContinuousTraining continuousTraining;

    public TrainingConsumers(TrainingRequests requests, ModelTrainer trainer, ContinuousTraining continuousTraining) {
        this.requests = requests;
        this.trainer = trainer;
        this.continuousTraining = continuousTraining;
    }

    // The message stays unacknowledged while the run trains: a crash means redelivery, not a lost run.
    @Incoming(Topics.Channels.TRAINING_REQUESTED)
    @Blocking
    @Retry(maxRetries = -1, delay = Outages.FIRST_DELAY_MS, maxDuration = Outages.MAX_DAYS, durationUnit = ChronoUnit.DAYS,
            retryOn = DependencyUnavailableException.class)
    @ExponentialBackoff(maxDelay = Outages.MAX_DELAY_MS)
    public void onTrainingRequested(String payload) {
        trainer.train(requests.accept(Events.parse(payload, TrainingRequested.class)));
    }

    @Incoming(Topics.Channels.DATASET_PREPARED)
    @Blocking
    @Retry(maxRetries = -1, delay = Outages.FIRST_DELAY_MS, maxDuration = Outages.MAX_DAYS, durationUnit = ChronoUnit.DAYS,
            retryOn = DependencyUnavailableException.class)
    @ExponentialBackoff(maxDelay = Outages.MAX_DELAY_MS)
    public void onDatasetPrepared(String payload) {
        continuousTraining.onDatasetPrepared(Events.parse(payload, DatasetPrepared.class));
    }
}
