package dev.mnistpipeline.cli.stack;

/** Kafka plus S3-compatible storage that the services run against: local processes, or containers. */
public interface Infrastructure extends AutoCloseable {
    String bootstrapServers();

    String s3Endpoint();

    String accessKey();

    String secretKey();

    @Override
    void close();
}
