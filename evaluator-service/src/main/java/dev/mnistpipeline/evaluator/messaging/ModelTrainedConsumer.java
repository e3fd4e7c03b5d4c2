package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.evaluator.domain.ModelEvaluator;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.temporal.ChronoUnit;

/**
 * model.trained → score on the test split → evaluation.completed. Bad input goes to model.trained.dlq; an outage
 * of storage or the broker is retried with backoff until it ends ({@code Outages}).
 */
@ApplicationScoped
public class ModelTrainedConsumer {

    private final ModelEvaluator evaluator;

    public ModelTrainedConsumer(ModelEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    @Incoming(Topics.Channels.MODEL_TRAINED)
    @Blocking
    @Retry(maxRetries = -1, delay = Outages.FIRST_DELAY_MS, maxDuration = Outages.MAX_DAYS, durationUnit = ChronoUnit.DAYS,
            retryOn = DependencyUnavailableException.class)
    @ExponentialBackoff(maxDelay = Outages.MAX_DELAY_MS)
    public void onModelTrained(String payload) {
        evaluator.evaluate(Events.parse(payload, ModelTrained.class));
    }
}
