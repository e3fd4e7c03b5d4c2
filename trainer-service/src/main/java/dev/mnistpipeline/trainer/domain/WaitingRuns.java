package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.Periodic;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs that cannot start now wait here, so that the runs behind them go ahead. A request whose run another trainer
 * holds (its lease), or whose prepared dataset is not there yet, is not retried in place, which would stop the partition for everyone: it is parked in storage
 * ({@code leases/waiting/<runId>.json}, shown as {@code waiting} with the reason by {@code GET /trainings/{runId}})
 * and its record acknowledged. Storage rather than a delay topic, because the wait ends on a condition (the lease
 * is released or expires) that only storage can tell, and a parked run is then visible to every replica. Every
 * {@code pipeline.trainer.waiting-check} each replica puts the runs whose lease is free back on
 * {@code training.requested} once its lease is free and its prepared dataset exists; a run released twice trains once
 * (the lease, then the model, decide).
 */
@ApplicationScoped
public class WaitingRuns {
    private static final Logger LOG = Logger.getLogger(WaitingRuns.class);

    /** A parked request, with the prepared dataset it was accepted with. */
    public record Waiting(TrainingRequested request, String reason, Instant since) {
    }

    private final ObjectStore store;
    private final RunLeases leases;
    private final RunStates states;
    private final RunCancellations cancellations;
    private final TrainingProgress progress;
    private final EventOutlet trainingRequested;
    private final Duration every;
    private final AtomicInteger waiting = new AtomicInteger();
    private Periodic loop;

    public WaitingRuns(ObjectStore store, RunLeases leases, RunStates states, RunCancellations cancellations,
                       TrainingProgress progress, MeterRegistry meters,
                       @Outlet(Topics.Channels.TRAINING_REQUESTED_OUT) EventOutlet trainingRequested,
                       @ConfigProperty(name = "pipeline.trainer.waiting-check", defaultValue = "5s") Duration every) {
        this.store = store;
        this.leases = leases;
        this.states = states;
        this.cancellations = cancellations;
        this.progress = progress;
        this.trainingRequested = trainingRequested;
        this.every = every;
        Gauge.builder("pipeline.trainer.waiting.runs", waiting, AtomicInteger::get)
                .description("runs waiting to start (lease held elsewhere, or dataset not prepared yet)").register(meters);
    }

    void onStart(@Observes StartupEvent event) {
        loop = Periodic.every("waiting-runs", every, this::releaseQuietly);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
    }

    /** Parks a run that cannot start now; its record can then be acknowledged. */
    public void park(AcceptedRun run, String reason) {
        park(run.request(), reason);
    }

    /** Parks a request as it came (its prepared dataset is not there yet). */
    public void park(TrainingRequested request, String reason) {
        store.putJson(ObjectKeys.waitingRun(request.runId()), new Waiting(request, reason, Instant.now()));
        progress.waiting(request.runId(), reason); // the state, training.metrics (the dashboard, watch)
        LOG.infof("Run %s waits (%s); the runs behind it go ahead", request.runId(), reason);
        if (loop != null) {
            loop.runSoon();
        }
    }

    private void releaseQuietly() {
        try {
            release();
        } catch (RuntimeException e) {
            LOG.warnf("Could not check the waiting runs: %s", e.getMessage());
        }
    }

    private boolean preparedExists(TrainingRequested request) {
        return request.preparedId() == null ? store.exists(ObjectKeys.LATEST_PREPARED)
                : store.exists(ObjectKeys.preparedManifest(request.preparedId()));
    }

    /** Puts every parked run whose lease is free back on training.requested (or ends it, if it was cancelled). */
    void release() {
        int left = 0;
        for (String key : store.list(ObjectKeys.WAITING_RUNS_PREFIX)) {
            Waiting w = store.findJson(key, Waiting.class).orElse(null);
            if (w == null) {
                continue;
            }
            String runId = w.request().runId();
            if (cancellations.find(runId).isPresent()) {
                store.remove(key);
                states.set(runId, RunStates.CANCELLED, "cancelled while waiting");
                continue;
            }
            if (leases.heldElsewhere(runId).isPresent() || !preparedExists(w.request())) {
                left++;
                continue;
            }
            states.set(runId, RunStates.QUEUED, "requeued after waiting: " + w.reason());
            trainingRequested.send(w.request());
            store.remove(key);
            LOG.infof("Run %s: its lease is free; requeued", runId);
        }
        waiting.set(left);
    }
}
