package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.events.ModelPromoted;
import dev.mnistpipeline.common.events.RolloutChanged;
import dev.mnistpipeline.evaluator.model.ServedModels;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;

/**
 * What the dashboard shows, built from the feed topics: every run with its status and curves, and a live stream
 * of the same events for browsers (server-sent events). Curves keep at most {@value #MAX_POINTS} points per run.
 */
@ApplicationScoped
public class DashboardState {
    static final int MAX_POINTS = 2000;

    /** One point of a curve: per step (train batch) or per epoch (with validation accuracy). */
    public record Point(long step, int epoch, double loss, double accuracy, Double validationAccuracy,
                        double imagesPerSecond) {
    }

    /** A training run as the run list shows it. */
    public record Run(String runId, String status, int epoch, int epochs, long step, long totalSteps,
                      double progress, String message, List<Point> steps, List<Point> epochPoints,
                      Instant updated) {
    }

    /** One event pushed to browsers: its topic and JSON payload. */
    public record FeedEvent(String topic, String json) {
    }

    private static final Logger LOG = Logger.getLogger(DashboardState.class);

    private final ServedModels models;
    private final Rollouts rollouts;
    /** The most recent runs, oldest dropped first, so a long-lived evaluator's memory stays flat. */
    private final Map<String, Run> runs;
    private final BroadcastProcessor<FeedEvent> live = BroadcastProcessor.create();

    public DashboardState(ServedModels models, Rollouts rollouts,
                          @ConfigProperty(name = "pipeline.dashboard.max-runs", defaultValue = "500") int maxRuns) {
        this.models = models;
        this.rollouts = rollouts;
        this.runs = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
                return size() > maxRuns;
            }
        };
    }

    public synchronized Collection<Run> runs() {
        return List.copyOf(runs.values());
    }

    public Multi<FeedEvent> live() {
        return live;
    }

    /**
     * A record from a feed topic: training metrics update the run list, a promotion makes this replica serve the
     * new champion, a rollout's start or end changes how it routes the name's traffic, and every record goes to
     * connected browsers. The dashboard only observes, so a record it cannot read is logged and skipped, not
     * dead-lettered (the owning consumer dead-letters it). An outage is rethrown, for the feed to retry: a promoted
     * model must be loaded, not skipped.
     */
    public void observe(String topic, long offset, String json) {
        try {
            if (topic.equals(Topics.TRAINING_METRICS)) {
                onTrainingMetrics(Events.parse(json, TrainingMetrics.class));
            } else if (topic.equals(Topics.MODEL_PROMOTED)) {
                ModelPromoted promoted = Events.parse(json, ModelPromoted.class);
                String name = promoted.change() == null ? null : promoted.change().registeredModel();
                if (name == null) {
                    models.refreshAll(); // announced before models had names
                } else {
                    models.refresh(name);
                }
            } else if (topic.equals(Topics.MODEL_ROLLOUT)) {
                rollouts.refresh(Events.parse(json, RolloutChanged.class).registeredModel());
            }
            broadcast(topic, json);
        } catch (RuntimeException e) {
            if (Outages.isOutage(e)) {
                throw e;
            }
            LOG.warnf("Dashboard skipped a record from %s at offset %d: %s", topic, offset, e.getMessage());
        }
    }

    /** Passes an event from a feed topic to connected browsers. */
    public synchronized void broadcast(String topic, String json) {
        live.onNext(new FeedEvent(topic, json));
    }

    public synchronized void onTrainingMetrics(TrainingMetrics m) {
        Run before = runs.get(m.runId());
        List<Point> steps = before == null ? new ArrayList<>() : new ArrayList<>(before.steps());
        List<Point> epochs = before == null ? new ArrayList<>() : new ArrayList<>(before.epochPoints());
        Point point = new Point(m.step(), m.epoch(), m.loss(), m.accuracy(), m.validationAccuracy(), m.imagesPerSecond());
        if (m.phase() == RunPhase.STEP) {
            steps.add(point);
            if (steps.size() > MAX_POINTS) {
                steps.subList(0, steps.size() - MAX_POINTS).clear();
            }
        } else if (m.phase() == RunPhase.EPOCH) {
            epochs.add(point);
        }
        String status = switch (m.phase()) {
            case COMPLETED, FAILED, CANCELLED, WAITING -> m.phase().wire();
            default -> "running";
        };
        long totalSteps = m.totalSteps() > 0 ? m.totalSteps() : before == null ? 0 : before.totalSteps();
        long step = m.phase() == RunPhase.COMPLETED ? totalSteps : Math.max(m.step(), before == null ? 0 : before.step());
        double progress = totalSteps == 0 ? 0 : Math.min(1, step / (double) totalSteps);
        runs.put(m.runId(), new Run(m.runId(), status, m.epoch() > 0 ? m.epoch() : before == null ? 0 : before.epoch(),
                m.epochs(), step, totalSteps, progress, m.message(), steps, epochs, m.time()));
    }
}
