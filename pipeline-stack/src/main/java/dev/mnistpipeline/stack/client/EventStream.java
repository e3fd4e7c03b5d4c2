package dev.mnistpipeline.stack.client;

import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Watches every pipeline topic and dead-letter topic from the moment it starts, on a background thread, the way a
 * dashboard would. Keeps what it saw so callers can wait for an event.
 */
public final class EventStream implements AutoCloseable {

    /** One record as seen on the wire. */
    public record Event(String topic, String key, String value, Map<String, String> headers) {
        /** A top-level field of the JSON value as text ("" when absent or the value is not JSON: poison), e.g. a metric's {@code phase}. */
        public String field(String name) {
            try {
                return Json.tree(value).path(name).asText();
            } catch (RuntimeException notJson) {
                return "";
            }
        }
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** Dead-letter records before this index were expected by the caller and do not fail {@link #await}. */
    private volatile int deadLettersSeenUpTo = 0;

    /** Every pipeline topic and every dead-letter topic, on a plaintext broker. */
    public EventStream(String bootstrapServers) {
        this(KafkaEndpoint.plaintext(bootstrapServers));
    }

    /** Every pipeline topic and every dead-letter topic (a secure broker: as its admin). */
    public EventStream(KafkaEndpoint kafka) {
        this(kafka, allTopics());
    }

    private static List<String> allTopics() {
        List<String> topics = new ArrayList<>(Topics.ALL);
        Topics.CONSUMED.forEach(t -> topics.add(Topics.deadLetter(t)));
        return topics;
    }

    /** Only {@code topics}: a load test leaves the topic it floods out. */
    public EventStream(String bootstrapServers, List<String> topics) {
        this(KafkaEndpoint.plaintext(bootstrapServers), topics);
    }

    public EventStream(KafkaEndpoint kafka, List<String> topics) {
        Properties p = kafka.properties();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " does not exist; create the pipeline topics first");
            }
            infos.forEach(pi -> partitions.add(new TopicPartition(topic, pi.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve "end" now, before anything is published
        thread = new Thread(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        Map<String, String> headers = new HashMap<>();
                        for (Header h : r.headers()) {
                            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                        }
                        Event e = new Event(r.topic(), r.key(), r.value(), headers);
                        events.add(e);
                        listeners.forEach(l -> l.accept(e));
                    }
                }
            }
        }, "event-stream");
        thread.setDaemon(true);
        thread.start();
    }

    public void onEvent(Consumer<Event> listener) {
        listeners.add(listener);
    }

    public List<Event> all(String topic) {
        return events.stream().filter(e -> e.topic().equals(topic)).toList();
    }

    /** Marks every dead-letter record seen so far as expected, so later waits do not fail on them. */
    public void acceptDeadLetters() {
        deadLettersSeenUpTo = events.size();
    }

    /**
     * The first event on {@code topic} matching {@code filter}. Waiting for a regular topic fails fast when an
     * unexpected dead-letter record appears: the flow it waits for has stopped.
     */
    public Event await(String topic, Predicate<Event> filter, Duration timeout) throws InterruptedException {
        return awaitAny(List.of(topic), filter, timeout);
    }

    /** The first event on any of {@code topics} matching {@code filter} (e.g. promoted or rejected). */
    public Event awaitAny(List<String> topics, Predicate<Event> filter, Duration timeout) throws InterruptedException {
        return awaitAny(topics, filter, timeout, topics.stream().noneMatch(t -> t.endsWith(".dlq")));
    }

    /** {@link #await} where dead letters are expected (bad samples mixed into a load): it waits on regardless. */
    public Event awaitDespiteDeadLetters(List<String> topics, Predicate<Event> filter, Duration timeout) throws InterruptedException {
        return awaitAny(topics, filter, timeout, false);
    }

    private Event awaitAny(List<String> topics, Predicate<Event> filter, Duration timeout, boolean failOnDeadLetters)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String topic = String.join(" or ", topics);
        while (System.nanoTime() < deadline) {
            List<Event> seen = List.copyOf(events);
            for (int i = 0; i < seen.size(); i++) {
                Event e = seen.get(i);
                if (topics.contains(e.topic()) && filter.test(e)) {
                    return e;
                }
                if (failOnDeadLetters && i >= deadLettersSeenUpTo && e.topic().endsWith(".dlq")) {
                    throw new IllegalStateException("Dead-lettered on " + e.topic() + ": " + e.headers().get("dead-letter-reason"));
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("No " + topic + " event within " + timeout.toSeconds() + " s");
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
