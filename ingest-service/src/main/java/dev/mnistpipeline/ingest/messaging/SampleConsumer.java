package dev.mnistpipeline.ingest.messaging;

import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.SampleDecoder;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.ingest.domain.Acknowledgement;
import dev.mnistpipeline.ingest.domain.SampleBatcher;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * User-published labelled samples ({@code samples.submitted}), read a poll at a time ({@code batch=true}): one
 * message per poll instead of one per record. A bad sample goes to {@code samples.submitted.dlq} with the reason
 * ({@link SampleDeadLetters}); good ones go to the batcher, which stores them as a new dataset version. The poll is
 * acknowledged (its offsets committed) once every record in it is stored or dead-lettered, so a crash loses nothing.
 */
@ApplicationScoped
public class SampleConsumer {

    private final SampleBatcher batcher;
    private final SampleDeadLetters deadLetters;

    public SampleConsumer(SampleBatcher batcher, SampleDeadLetters deadLetters) {
        this.batcher = batcher;
        this.deadLetters = deadLetters;
    }

    /** One record, read: its sample, or why it is not one. */
    private record Read(SubmittedRecord record, SampleSubmitted sample, RuntimeException refusal) {
    }

    @Incoming(Topics.Channels.SAMPLES_SUBMITTED)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onSamples(Message<List<String>> poll) {
        List<Read> reads = new ArrayList<>();
        boolean anyPng = false;
        for (SubmittedRecord record : SubmittedRecord.of(poll)) {
            try {
                SampleSubmitted sample = Events.parse(record.value(), SampleSubmitted.class);
                anyPng |= sample.png() != null;
                reads.add(new Read(record, sample, null));
            } catch (RuntimeException e) {
                // Reading needs no storage: whatever fails here is the record's own fault.
                reads.add(new Read(record, null, e));
            }
        }
        if (reads.isEmpty()) {
            return poll.ack();
        }
        PollOutcome outcome = new PollOutcome(reads.size(), poll);
        if (!anyPng) {
            return hand(reads, outcome); // raw pixels: a base64 decode each, cheap enough for the event loop
        }
        // A PNG takes milliseconds to decode: on a worker thread, never the event loop. The next poll waits for this
        // stage, so samples keep their order.
        return Uni.createFrom().item(() -> hand(reads, outcome))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .subscribeAsCompletionStage().thenCompose(stage -> stage);
    }

    /**
     * Hands each sample to the batcher, and each refusal to the dead-letter topic. Completes when the next poll may
     * come: the batcher has room and this poll's refusals are written, so neither grows without bound.
     */
    private CompletionStage<Void> hand(List<Read> reads, PollOutcome outcome) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        // The batcher answers the same room future until it is full; the last answer is the one to wait for.
        CompletionStage<Void> room = CompletableFuture.completedFuture(null);
        for (Read read : reads) {
            byte[] pixels = null;
            RuntimeException refusal = read.refusal();
            if (refusal == null) {
                try {
                    pixels = SampleDecoder.pixels(read.sample());
                } catch (RuntimeException e) {
                    refusal = e;
                }
            }
            if (refusal != null) {
                waits.add(deadLetter(read.record(), refusal, outcome).toCompletableFuture());
                continue;
            }
            room = batcher.add(read.sample().datasetName(), pixels, read.sample().label(), new Acknowledgement() {
                @Override
                public void ack() {
                    outcome.settled();
                }

                @Override
                public void nack(Throwable reason) {
                    deadLetter(read.record(), reason, outcome);
                }
            });
        }
        waits.add(room.toCompletableFuture());
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    private CompletionStage<Void> deadLetter(SubmittedRecord record, Throwable reason, PollOutcome outcome) {
        return deadLetters.write(record, reason).thenRun(outcome::settled);
    }

    /** Acknowledges a poll once each of its records is settled: stored in a version, or dead-lettered. */
    private static final class PollOutcome {
        private final AtomicInteger unsettled;
        private final Message<?> poll;

        PollOutcome(int records, Message<?> poll) {
            this.unsettled = new AtomicInteger(records);
            this.poll = poll;
        }

        void settled() {
            if (unsettled.decrementAndGet() == 0) {
                poll.ack();
            }
        }
    }
}
