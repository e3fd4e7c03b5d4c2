package dev.mnistpipeline.stack;

import dev.mnistpipeline.stack.client.KafkaEndpoint;

import java.util.LinkedHashMap;
import java.util.Map;

/** Kafka plus S3-compatible storage that the services run against: local processes, or containers. */
public interface Infrastructure extends AutoCloseable {
    /** Where services and publishers connect. */
    String bootstrapServers();

    String s3Endpoint();

    /** The S3 admin key: bucket creation, the CLI, tests. */
    String accessKey();

    String secretKey();

    /** The broker as its admin sees it (topic creation, watching every topic, DLQ replay). */
    default KafkaEndpoint kafka() {
        return KafkaEndpoint.plaintext(bootstrapServers());
    }

    /** The broker as {@code principal} (a service, or the samples publisher) sees it. */
    default KafkaEndpoint kafka(String principal) {
        return kafka();
    }

    /** The S3 key of {@code principal}. */
    default StorageKey storageKey(String principal) {
        return new StorageKey(accessKey(), secretKey());
    }

    /** What a service is started with to reach both, under its own identity. */
    default Map<String, String> serviceEnv(String service) {
        Map<String, String> env = new LinkedHashMap<>(kafka(service).env());
        StorageKey key = storageKey(service);
        env.put("PIPELINE_STORAGE_ENDPOINT", s3Endpoint());
        env.put("PIPELINE_STORAGE_ACCESS_KEY", key.accessKey());
        env.put("PIPELINE_STORAGE_SECRET_KEY", key.secretKey());
        return env;
    }

    @Override
    void close();
}
