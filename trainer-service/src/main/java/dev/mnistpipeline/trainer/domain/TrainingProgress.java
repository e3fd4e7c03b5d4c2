package dev.mnistpipeline.trainer.domain;

import jakarta.enterprise.event.Event;
import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.messaging.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where training progress goes: the run's lasting record ({@link RunRecorder}), {@code training.metrics} for dashboards, Prometheus gauges, the latest
 * event per run for {@code GET /trainings/{runId}}, and a sweep trial's status (with median stopping). Each run reports through its own {@link RunReporter}.
 */
@ApplicationScoped
public class TrainingProgress {
    private static final Logger LOG = Logger.getLogger(TrainingProgress.class);
    private final EventOutlet trainingMetrics;
    private final TrainingGauges gauges;
    private final Event<TrainingMetrics> progress;
    private final RunStates states;
    private final RunRecorder recorder;
    private final Map<String, TrainingMetrics> latest = new ConcurrentHashMap<>();

    public TrainingProgress(TrainingGauges gauges, Event<TrainingMetrics> progress, RunStates states, RunRecorder recorder,
                            @Outlet(Topics.Channels.TRAINING_METRICS) EventOutlet trainingMetrics) {
        this.states = states;
        this.recorder = recorder;
        this.gauges = gauges;
        this.progress = progress;
        this.trainingMetrics = trainingMetrics;
    }

    public RunReporter reporter(AcceptedRun run) {
        return new RunReporter(this, run.runId(), run.hyperparameters().epochs());
    }

    /** A run that cannot start now: {@code waiting}, with why, for the dashboard, watch and the run's state. */
    public void waiting(String runId, String why) {
        record(new TrainingMetrics(runId, RunPhase.WAITING, 0, 0, 0, 0, 0, 0, null, 0, why, Instant.now()));
    }

    /** A request the trainer will never start, with why: the run's record, state and a {@code refused} report. */
    public void refused(String runId, String why) {
        record(new TrainingMetrics(runId, RunPhase.REFUSED, 0, 0, 0, 0, 0, 0, null, 0, why, Instant.now()));
    }

    /** The last progress event this instance saw for a run, or null. */
    public TrainingMetrics last(String runId) {
        return latest.get(runId);
    }

    void record(TrainingMetrics m) {
        record(m, null);
    }

    /** @param model the run's model, on {@code completed}: its figures go into the run's record */
    void record(TrainingMetrics m, ModelManifest model) {
        latest.put(m.runId(), m);
        gauges.record(m).forEach(latest::remove); // long-ended runs: their state stays in storage (RunStates)
        String state = RunStates.ofPhase(m.phase());
        if (state != null) {
            states.setQuietly(m.runId(), state, m.message());
        }
        recorder.observe(m, model); // before the event: whoever reads the record on it finds this report in it
        try {
            trainingMetrics.send(m);
        } catch (RuntimeException e) {
            // Metrics are for dashboards; a lost one must not fail the run.
            LOG.warnf("Could not publish %s metrics for %s: %s", m.phase(), m.runId(), e.getMessage());
        }
        progress.fire(m); // listeners: sweep trials (TrialTracker)
    }
}
