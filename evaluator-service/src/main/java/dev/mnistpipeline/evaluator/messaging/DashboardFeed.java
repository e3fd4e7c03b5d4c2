package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.evaluator.domain.DashboardState;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.temporal.ChronoUnit;

/**
 * The dashboard's view of the pipeline: training.metrics, evaluation.completed, model.promoted and model.rejected,
 * read by every instance in its own consumer group from the beginning.
 */
@ApplicationScoped
public class DashboardFeed {
    private final DashboardState dashboard;

    public DashboardFeed(DashboardState dashboard) {
        this.dashboard = dashboard;
    }

    @Incoming(Topics.Channels.DASHBOARD_FEED)
    @Blocking
    @Retry(maxRetries = -1, delay = Outages.FIRST_DELAY_MS, maxDuration = Outages.MAX_DAYS, durationUnit = ChronoUnit.DAYS,
            retryOn = DependencyUnavailableException.class)
    @ExponentialBackoff(maxDelay = Outages.MAX_DELAY_MS)
    public void onEvent(ConsumerRecord<String, String> record) {
        dashboard.observe(record.topic(), record.offset(), record.value());
    }
}
