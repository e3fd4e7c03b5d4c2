package dev.mnistpipeline.stack.testing;

import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Records delivered to a service's in-memory channel, with what the service made of each. */
public final class Deliveries {
    private Deliveries() {
    }

    /**
     * Delivers {@code payload} on {@code channel}. The future completes with null when the service acknowledges the
     * record, or with the reason it gave when it refused it (on Kafka: the dead-letter topic, reason in the headers).
     */
    public static CompletableFuture<Throwable> deliver(InMemoryConnector connector, String channel, String payload) {
        return send(connector, channel, payload);
    }

    /**
     * Delivers {@code payloads} as one poll on a channel read in batches ({@code batch=true}): null when the service
     * acknowledges the poll, or the reason it gave when it refused all of it.
     */
    public static CompletableFuture<Throwable> deliverPoll(InMemoryConnector connector, String channel, List<String> payloads) {
        return send(connector, channel, payloads);
    }

    private static <T> CompletableFuture<Throwable> send(InMemoryConnector connector, String channel, T payload) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        connector.<Message<T>>source(channel).send(Message.of(payload)
                .withAck(() -> {
                    outcome.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(reason -> {
                    outcome.complete(reason);
                    return CompletableFuture.completedFuture(null);
                }));
        return outcome;
    }
}
