package dev.mnistpipeline.ingest.messaging;

import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.WaitingDeadLetterQueue;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_CAUSE;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_CAUSE_CLASS_NAME;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_EXCEPTION_CLASS_NAME;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_OFFSET;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_PARTITION;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_REASON;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_TOPIC;

/**
 * Dead-letters single published samples of a poll to {@code samples.submitted.dlq}, as the connector's dead-letter
 * queue would: the record's key, value and headers, plus SmallRye's {@code dead-letter-*} headers naming the reason and
 * the source record (so {@code pipeline dlq} lists and replays them like any other letter). A write the broker does
 * not take is an outage: retried until it goes through, and shown as stuck work meanwhile.
 */
@ApplicationScoped
class SampleDeadLetters {
    private final MutinyEmitter<String> deadLetters;
    private final WaitingDeadLetterQueue waiting;

    SampleDeadLetters(@Channel(Topics.Channels.SAMPLES_DEAD_LETTERS) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
                      MutinyEmitter<String> deadLetters,
                      @Identifier(WaitingDeadLetterQueue.STRATEGY) WaitingDeadLetterQueue waiting) {
        this.deadLetters = deadLetters;
        this.waiting = waiting;
    }

    /** Completes once {@code record} is on the dead-letter topic with {@code reason}. */
    CompletionStage<Void> write(SubmittedRecord record, Throwable reason) {
        return waiting.untilWritten(Topics.Channels.SAMPLES_SUBMITTED, Topics.SAMPLES_SUBMITTED, record.position(),
                () -> deadLetters.sendMessage(letter(record, reason))).subscribeAsCompletionStage();
    }

    private static Message<String> letter(SubmittedRecord record, Throwable reason) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        add(headers, DEAD_LETTER_EXCEPTION_CLASS_NAME, reason.getClass().getName());
        add(headers, DEAD_LETTER_REASON, reason.getMessage());
        if (reason.getCause() != null) {
            add(headers, DEAD_LETTER_CAUSE_CLASS_NAME, reason.getCause().getClass().getName());
            add(headers, DEAD_LETTER_CAUSE, reason.getCause().getMessage());
        }
        if (record.topic() != null) {
            add(headers, DEAD_LETTER_TOPIC, record.topic());
            add(headers, DEAD_LETTER_PARTITION, Integer.toString(record.partition()));
            add(headers, DEAD_LETTER_OFFSET, Long.toString(record.offset()));
        }
        return Message.of(record.value(), Metadata.of(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key()).withHeaders(headers).build()));
    }

    private static void add(RecordHeaders headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
