package dev.mnistpipeline.ingest.domain;

/**
 * How a held sample tells its source how it ended, whatever the source is (a Kafka record in messaging): stored, or
 * failed and to be delivered again.
 */
public interface Acknowledgement {
    void ack();

    void nack(Throwable reason);
}
