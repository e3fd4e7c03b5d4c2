package dev.mnistpipeline.ingest.messaging;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * One record of a batch read from {@code samples.submitted}: its value, and where it came from (key, topic,
 * partition, offset, headers) for its dead letter. {@code topic} is null for a batch that did not come from Kafka.
 */
record SubmittedRecord(String value, String key, String topic, int partition, long offset, Iterable<Header> headers) {

    /** The records of {@code batch}, in the order of its payload. */
    @SuppressWarnings("unchecked")
    static List<SubmittedRecord> of(Message<List<String>> batch) {
        var kafka = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class);
        if (kafka.isEmpty()) {
            return batch.getPayload().stream().map(value -> new SubmittedRecord(value, null, null, -1, -1, List.of())).toList();
        }
        List<SubmittedRecord> records = new ArrayList<>(kafka.get().count());
        for (ConsumerRecord<String, String> r : ((IncomingKafkaRecordBatchMetadata<String, String>) kafka.get()).getRecords()) {
            // The record's own headers, not a copy: only a dead letter reads them.
            records.add(new SubmittedRecord(r.value(), r.key(), r.topic(), r.partition(), r.offset(), r.headers()));
        }
        return records;
    }

    /** {@code <topic>-<partition>@<offset>}, or the key when the record did not come from Kafka. */
    String position() {
        return topic == null ? String.valueOf(key) : topic + "-" + partition + "@" + offset;
    }
}
