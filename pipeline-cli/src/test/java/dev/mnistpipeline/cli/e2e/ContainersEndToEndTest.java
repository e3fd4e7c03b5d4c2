package dev.mnistpipeline.cli.e2e;

import dev.mnistpipeline.cli.stack.Infrastructure;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.nio.file.Path;

/**
 * The same end-to-end scenario against a Kafka container and a MinIO container. Skipped (reported as skipped)
 * where no Docker engine is available.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersEndToEndTest extends EndToEndScenario {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.2");

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2023-09-04T19-57-37Z");

    /** The containers' addresses; the Testcontainers extension stops them. */
    record Containers(String bootstrapServers, String s3Endpoint, String accessKey, String secretKey) implements Infrastructure {
        @Override
        public void close() {
        }
    }

    @Override
    Infrastructure infrastructure(Path workDir) {
        return new Containers(KAFKA.getBootstrapServers(), MINIO.getS3URL(), MINIO.getUserName(), MINIO.getPassword());
    }
}
