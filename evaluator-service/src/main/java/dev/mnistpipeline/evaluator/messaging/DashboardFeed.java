package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.evaluator.domain.DashboardState;
import dev.mnistpipeline.evaluator.model.ChampionModel;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The dashboard's view of the pipeline: training.metrics, evaluation.completed, model.promoted and model.rejected,
 * read by every instance in its own consumer group from the beginning. It only observes, so an unreadable record
 * is logged and skipped rather than dead-lettered (the owning consumers dead-letter it). A promotion seen here
 * also makes this replica serve the new champion.
 */
@ApplicationScoped
public class DashboardFeed {
    private static final Logger LOG = Logger.getLogger(DashboardFeed.class);

    @Inject
    DashboardState dashboard;

    @Inject
    ChampionModel champion;

    @Incoming(Topics.Channels.DASHBOARD_FEED)
    @Blocking
    public void onEvent(ConsumerRecord<String, String> record) {
        try {
            if (record.topic().equals(Topics.TRAINING_METRICS)) {
                dashboard.onTrainingMetrics(Events.parse(record.value(), TrainingMetrics.class));
            } else if (record.topic().equals(Topics.MODEL_PROMOTED)) {
                champion.refresh();
            }
            dashboard.broadcast(record.topic(), record.value());
        } catch (RuntimeException e) {
            LOG.warnf("Dashboard skipped a record from %s at offset %d: %s", record.topic(), record.offset(), e.getMessage());
        }
    }
}
