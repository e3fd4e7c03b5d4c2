package dev.mnistpipeline.stack;

import java.time.Duration;
import java.util.Map;

/**
 * The four services, running and ready, however they run: as processes ({@link PipelineStack}) or as containers
 * from their images (ContainerStack, in cli.containers). What clients and tests need of them.
 */
public interface ServiceStack extends AutoCloseable {
    /** Where a service (or a named extra instance) answers, from this machine. */
    String url(String service);

    /** Each service's time from its start (process or container) to ready, as the last start measured it. */
    Map<String, Duration> startupTimes();

    /** The API token of each role, for clients of this stack. */
    ApiTokens tokens();

    @Override
    void close();
}
