package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.InferenceRequested;
import dev.mnistpipeline.common.events.InferenceResult;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.evaluator.domain.PredictionService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

import java.time.Instant;
import java.util.function.Consumer;

/**
 * inference.requests → champion → inference.results, correlated by {@code requestId}; one result per request id,
 * even when the request is redelivered. A bad request is answered with an {@code error} result and goes to
 * inference.requests.dlq with the reason.
 */
@ApplicationScoped
public class InferenceConsumer {
    private final PredictionService predictions;
    private final EventPublisher publisher;
    private final MutinyEmitter<String> results;

    public InferenceConsumer(PredictionService predictions, EventPublisher publisher,
                             @Channel(Topics.Channels.INFERENCE_RESULTS) MutinyEmitter<String> results) {
        this.predictions = predictions;
        this.publisher = publisher;
        this.results = results;
    }

    // Unordered: requests are answered concurrently, so the batcher can score them together.
    @Incoming(Topics.Channels.INFERENCE_REQUESTS)
    @Blocking(ordered = false)
    @WaitsOutOutages
    public void onRequest(String payload, IncomingKafkaRecordMetadata<String, String> record) {
        // The record's timestamp is the same on every redelivery: it files the publish-once marker, which expires.
        Instant published = record.getTimestamp();
        Consumer<InferenceResult> answer = result -> publisher.publishOnceExpiring(results, result, published);
        InferenceRequested request;
        try {
            request = Events.parse(payload, InferenceRequested.class);
        } catch (RuntimeException e) {
            predictions.answerUnreadable(payload, e, answer); // answered if it names a usable requestId, then dead-lettered
            throw e;
        }
        predictions.respond(request, answer);
    }
}
