package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.data.InvalidDataException;
import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.InferenceRequested;
import dev.mnistpipeline.common.events.InferenceResult;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.evaluator.domain.PredictionService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Instant;
import java.util.List;

/**
 * inference.requests → champion → inference.results, correlated by {@code requestId}; one result per request id,
 * even when the request is redelivered. A bad request is answered with an {@code error} result (so the caller
 * is not left waiting) and goes to inference.requests.dlq with the reason.
 */
@ApplicationScoped
public class InferenceConsumer {

    @Inject
    PredictionService predictions;

    @Inject
    EventPublisher publisher;

    @Inject
    @Channel(Topics.Channels.INFERENCE_RESULTS)
    MutinyEmitter<String> results;

    @Incoming(Topics.Channels.INFERENCE_REQUESTS)
    @Blocking
    public void onRequest(String payload) {
        InferenceRequested request = Events.parse(payload, InferenceRequested.class);
        try {
            publisher.publishOnce(results, predictions.answer(request));
        } catch (InvalidDataException e) {
            if (request.requestId() != null && !request.requestId().isBlank()) {
                publisher.publishOnce(results, new InferenceResult(EventTypes.SCHEMA_VERSION, request.requestId(),
                        null, List.of(), e.getMessage(), Instant.now()));
            }
            throw e;
        }
    }
}
