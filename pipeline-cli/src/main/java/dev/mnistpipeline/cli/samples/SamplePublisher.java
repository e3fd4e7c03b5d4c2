package dev.mnistpipeline.cli.samples;

import dev.mnistpipeline.stack.client.ProgressBar;
import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;

/** Sends samples to {@code samples.submitted} as the samples publisher, and waits until the broker has them all. */
public final class SamplePublisher {
    private final KafkaEndpoint publisher;

    public SamplePublisher(KafkaEndpoint publisher) {
        this.publisher = publisher;
    }

    public void send(List<SampleSubmitted> samples, ProgressBar progress) throws Exception {
        Properties p = publisher.properties();
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        p.put("linger.ms", "20");
        p.put("max.block.ms", "30000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<Future<?>> pending = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < samples.size(); i++) {
                SampleSubmitted event = samples.get(i);
                pending.add(producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, event.key(), Json.write(event))));
                progress.show("publishing", i + 1, samples.size(), start);
            }
            for (Future<?> f : pending) {
                f.get(); // a refused write (no credentials, no ACL) surfaces here with Kafka's reason
            }
            progress.done();
        }
    }
}
