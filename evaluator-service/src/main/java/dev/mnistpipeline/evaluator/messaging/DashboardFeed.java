package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.evaluator.domain.DashboardState;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;


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
    @WaitsOutOutages
    public void onEvent(ConsumerRecord<String, String> record) {
        dashboard.observe(record.topic(), record.offset(), record.value());
    }
}
