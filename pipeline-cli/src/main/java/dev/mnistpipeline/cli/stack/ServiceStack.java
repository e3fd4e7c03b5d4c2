package dev.mnistpipeline.cli.stack;

/**
 * The four services, running and ready, however they run: as processes ({@link PipelineStack}) or as containers
 * from their images (ContainerStack, in cli.containers). What clients and tests need of them.
 */
public interface ServiceStack extends AutoCloseable {
    /** Where a service (or a named extra instance) answers, from this machine. */
    String url(String service);

    /** The API token of each role, for clients of this stack. */
    ApiTokens tokens();

    @Override
    void close();
}
