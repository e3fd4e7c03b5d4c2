package dev.mnistpipeline.stack.client;

import dev.mnistpipeline.common.messaging.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.HashSet;
import java.util.Set;

/**
 * The dead-letter topics as a user sees them: what is there and why, and putting records back on their source
 * topic once the cause is fixed. Replay remembers what it replayed in the consumer group {@value #REPLAY_GROUP},
 * so replaying a topic twice sends nothing twice; the handlers are idempotent besides.
 * <p>
 * A dead-letter topic is at-least-once like every other: a record dead-lettered just before its partition moved to
 * another consumer, with its offset not yet committed, is delivered there again and dead-lettered again. Each letter
 * names its source record (SmallRye's {@code dead-letter-topic}, {@code -partition} and {@code -offset} headers), so a
 * later letter of the same source record is listed as a {@link Letter#repeat() repeat} and never replayed.
 */
public final class DeadLetters {
    public static final String REPLAY_GROUP = "pipeline-dlq-replay";
    /** Marks a replayed record with where it came from: {@code <dlq-topic>/<partition>/<offset>}. */
    public static final String REPLAYED_FROM = "pipeline-replayed-from";
    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * One dead-lettered record; {@code source} is {@code <topic>/<partition>/<offset>} of the record that failed
     * (null for a letter without SmallRye's headers), and {@code repeat} says an earlier letter has the same source.
     */
    public record Letter(String topic, int partition, long offset, Instant time, String key, String reason,
                         String value, List<Header> headers, boolean replayed, String source, boolean repeat) {
        /** {@code partition:offset}, which {@code replay --id} accepts besides the key. */
        public String position() {
            return partition + ":" + offset;
        }
    }

    private final KafkaEndpoint kafka;

    public DeadLetters(KafkaEndpoint kafka) {
        this.kafka = kafka;
    }

    /** Every record on the dead-letter topic of {@code sourceTopic}, oldest first per partition. */
    public List<Letter> list(String sourceTopic) {
        String dlq = Topics.deadLetter(requireConsumed(sourceTopic));
        try (KafkaConsumer<String, String> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(dlq, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(dlq, p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> replayedUpTo = consumer.committed(new HashSet<>(partitions));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Letter> letters = new ArrayList<>();
            Set<String> sources = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    OffsetAndMetadata mark = replayedUpTo.get(new TopicPartition(r.topic(), r.partition()));
                    String source = source(r);
                    letters.add(new Letter(r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), r.key(),
                            header(r, "dead-letter-reason"), r.value(), List.of(r.headers().toArray()),
                            mark != null && r.offset() < mark.offset(), source, source != null && !sources.add(source)));
                }
            }
            return letters;
        }
    }

    /**
     * Puts dead-lettered records back on {@code sourceTopic}: the ones not replayed before, or, with {@code ids},
     * the ones whose key or {@code partition:offset} is listed (again, if asked by id). A repeat goes only when its
     * own {@code partition:offset} is asked for. Returns what it sent.
     */
    public List<Letter> replay(String sourceTopic, List<String> ids) {
        Predicate<Letter> chosen = ids.isEmpty() ? l -> !l.replayed() && !l.repeat()
                : l -> ids.contains(l.position()) || (ids.contains(l.key()) && !l.repeat());
        List<Letter> toSend = list(sourceTopic).stream().filter(chosen).toList();
        try (KafkaProducer<String, String> producer = producer()) {
            for (Letter l : toSend) {
                ProducerRecord<String, String> record = new ProducerRecord<>(sourceTopic, l.key(), l.value());
                l.headers().stream().filter(h -> !h.key().startsWith("dead-letter-") && !h.key().equals(REPLAYED_FROM))
                        .forEach(h -> record.headers().add(h));
                record.headers().add(REPLAYED_FROM, (l.topic() + "/" + l.position().replace(':', '/')).getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("replay to " + sourceTopic + " failed: " + e.getMessage(), e);
        }
        if (ids.isEmpty()) {
            markReplayed(toSend);
        }
        return toSend;
    }

    private void markReplayed(List<Letter> sent) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (Letter l : sent) {
            next.merge(new TopicPartition(l.topic(), l.partition()), new OffsetAndMetadata(l.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        if (!next.isEmpty()) {
            try (KafkaConsumer<String, String> consumer = consumer()) {
                consumer.commitSync(next);
            }
        }
    }

    private static String requireConsumed(String topic) {
        if (!Topics.CONSUMED.contains(topic)) {
            throw new IllegalArgumentException("'" + topic + "' has no dead-letter topic; one of " + Topics.CONSUMED);
        }
        return topic;
    }

    /** {@code <topic>/<partition>/<offset>} of the record a letter was made from, or null without the headers. */
    private static String source(ConsumerRecord<String, String> r) {
        String topic = header(r, "dead-letter-topic"), partition = header(r, "dead-letter-partition"), offset = header(r, "dead-letter-offset");
        return topic.isEmpty() || partition.isEmpty() || offset.isEmpty() ? null : topic + "/" + partition + "/" + offset;
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private KafkaConsumer<String, String> consumer() {
        Properties p = kafka.properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, REPLAY_GROUP);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p);
    }

    private KafkaProducer<String, String> producer() {
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
