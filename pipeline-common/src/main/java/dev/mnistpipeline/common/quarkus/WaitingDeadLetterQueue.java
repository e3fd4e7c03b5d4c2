package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.errors.Outages;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The failure strategy of every consumed channel ({@code failure-strategy=waiting-dead-letter-queue}): SmallRye's
 * dead-letter queue, except that a dead-letter write that fails is an outage to wait out, never a failed nack that
 * ends the stream. It is retried with the handlers' backoff until it goes through, and shows in {@link StuckWork}
 * meanwhile. The records themselves always fit their dead-letter topic ({@code DeadLetterSerializer}). Each record
 * dead-lettered counts in {@code pipeline_dead_letters_total{topic}}, which the DLQ-growth alert watches.
 */
@ApplicationScoped
@Identifier(WaitingDeadLetterQueue.STRATEGY)
public class WaitingDeadLetterQueue implements KafkaFailureHandler.Factory {
    public static final String STRATEGY = "waiting-dead-letter-queue";
    private static final Logger LOG = Logger.getLogger(WaitingDeadLetterQueue.class);

    private final KafkaFailureHandler.Factory deadLetterQueue;
    private final StuckWork stuck;
    private final MeterRegistry meters;

    public WaitingDeadLetterQueue(@Identifier(KafkaFailureHandler.Strategy.DEAD_LETTER_QUEUE) KafkaFailureHandler.Factory deadLetterQueue,
                                  StuckWork stuck, MeterRegistry meters) {
        this.deadLetterQueue = deadLetterQueue;
        this.stuck = stuck;
        this.meters = meters;
    }

    /**
     * {@code write}, a dead-letter write of a record of {@code topic} read on {@code channel}, retried with the
     * handlers' backoff until it goes through and shown in {@link StuckWork} meanwhile; counted once written.
     * Also for a channel that writes its own dead letters (a batch consumer, which must not nack a whole batch).
     */
    public Uni<Void> untilWritten(String channel, String topic, String record, Supplier<Uni<? extends Void>> write) {
        StuckWork.Attempt attempt = stuck.begin("dead-letter write for " + channel + " " + record);
        return Uni.createFrom().deferred(write)
                .onFailure().invoke(e -> {
                    attempt.failed(e);
                    LOG.warnf("%s: dead-letter write failed (%s); retrying", channel, e.getMessage());
                })
                .onFailure().retry().withBackOff(Duration.ofMillis(Outages.FIRST_DELAY_MS), Duration.ofMillis(Outages.MAX_DELAY_MS))
                .indefinitely()
                .onItem().invoke(() -> meters.counter("pipeline.dead.letters", "topic", topic).increment())
                .onTermination().invoke(attempt::close);
    }

    @Override
    public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx, KafkaConsumer<?, ?> consumer,
                                      BiConsumer<Throwable, Boolean> reportFailure) {
        KafkaFailureHandler delegate = deadLetterQueue.create(config, vertx, consumer, reportFailure);
        String channel = config.getChannel();
        return new KafkaFailureHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
                return untilWritten(channel, record.getTopic(), record.getTopic() + "-" + record.getPartition()
                        + "@" + record.getOffset(), () -> delegate.handle(record, reason, metadata));
            }

            @Override
            public void terminate() {
                delegate.terminate();
            }
        };
    }
}
