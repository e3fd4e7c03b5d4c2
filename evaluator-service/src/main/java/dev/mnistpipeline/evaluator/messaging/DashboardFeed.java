package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.evaluator.domain.DashboardState;
import dev.mnistpipeline.evaluator.domain.RunHistory;
import dev.mnistpipeline.evaluator.domain.RunSummary;
import dev.mnistpipeline.evaluator.domain.TestSplits;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;


/**
 * The dashboard's view of the pipeline, and what keeps the run index current: training.metrics, evaluation.completed, model.promoted and model.rejected,
 * read by every instance in its own consumer group from the beginning. A run that starts training has its test split
 * read ahead, for the evaluation that follows it.
 */
@ApplicationScoped
public class DashboardFeed {
    private final DashboardState dashboard;
    private final RunHistory runs;
    private final TestSplits testSplits;

    public DashboardFeed(DashboardState dashboard, RunHistory runs, TestSplits testSplits) {
        this.dashboard = dashboard;
        this.runs = runs;
        this.testSplits = testSplits;
    }

    @Incoming(Topics.Channels.DASHBOARD_FEED)
    @Blocking
    @WaitsOutOutages
    public void onEvent(ConsumerRecord<String, String> record) {
        dashboard.observe(record.topic(), record.offset(), record.value());
        if (record.topic().equals(Topics.TRAINING_METRICS)) {
            runs.onMetrics(record.value()).map(RunSummary::preparedId).ifPresent(testSplits::readAhead);
        }
    }
}
