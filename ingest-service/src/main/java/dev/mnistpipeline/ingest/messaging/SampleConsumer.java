package dev.mnistpipeline.ingest.messaging;

import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.ingest.domain.Acknowledgement;
import dev.mnistpipeline.ingest.domain.SampleBatcher;
import dev.mnistpipeline.common.events.SampleDecoder;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * User-published labelled samples ({@code samples.submitted}). A bad sample goes to {@code samples.submitted.dlq}
 * with the reason; good ones are batched into a new dataset version and acknowledged once stored.
 */
@ApplicationScoped
public class SampleConsumer {

    private final SampleBatcher batcher;

    public SampleConsumer(SampleBatcher batcher) {
        this.batcher = batcher;
    }

    @Incoming(Topics.Channels.SAMPLES_SUBMITTED)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onSample(Message<String> message) {
        SampleSubmitted sample;
        try {
            sample = Events.parse(message.getPayload(), SampleSubmitted.class);
        } catch (RuntimeException e) {
            // Reading needs no storage: whatever fails here is the sample's own fault.
            return message.nack(e);
        }
        if (sample.png() == null) {
            return batch(sample, message); // raw pixels: a base64 decode, cheap enough for the event loop
        }
        // A PNG takes milliseconds to decode: on a worker thread, never the event loop. The next record waits for
        // this stage, so samples keep their order.
        return Uni.createFrom().item(() -> batch(sample, message))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .subscribeAsCompletionStage().thenCompose(stage -> stage);
    }

    private CompletionStage<Void> batch(SampleSubmitted sample, Message<String> message) {
        byte[] pixels;
        try {
            pixels = SampleDecoder.pixels(sample);
        } catch (RuntimeException e) {
            return message.nack(e);
        }
        // Waits (and so pauses consumption) while the batcher holds as many samples as it may.
        return batcher.add(sample.datasetName(), pixels, sample.label(), new Acknowledgement() {
            @Override
            public void ack() {
                message.ack();
            }

            @Override
            public void nack(Throwable reason) {
                message.nack(reason);
            }
        });
    }
}
