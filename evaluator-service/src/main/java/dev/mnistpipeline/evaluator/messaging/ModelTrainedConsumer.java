package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.evaluator.domain.ModelEvaluator;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;


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
    @WaitsOutOutages
    public void onModelTrained(String payload) {
        evaluator.evaluate(Events.parse(payload, ModelTrained.class));
    }
}
