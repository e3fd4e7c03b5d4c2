package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.quarkus.Schedulers;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code DELETE /trainings/{runId}}: a cancellation is a record in storage ({@code runs/<runId>/cancelled.json}, who,
 * when and why), so whichever trainer replica owns the run sees it, and a redelivered or re-sent request for the run
 * does not start it again. The owner polls for it while it trains and stops at the next step.
 */
@ApplicationScoped
public class RunCancellations {
    /** Why a run was stopped, recorded once. */
    public record Cancellation(String runId, String reason, String by, Instant at) implements Versioned {
    }

    /** Thrown out of the training loop when its run was cancelled; the run ends without a model. */
    public static final class Cancelled extends RuntimeException {
        public Cancelled(Cancellation c) {
            super("cancelled by " + c.by() + (c.reason() == null || c.reason().isBlank() ? "" : ": " + c.reason()));
        }
    }

    private final ObjectStore store;
    private final Duration pollEvery;
    private final ScheduledExecutorService poller = Schedulers.daemon("run-cancellations");

    public RunCancellations(ObjectStore store,
                            @ConfigProperty(name = "pipeline.trainer.cancel-poll", defaultValue = "3s") Duration pollEvery) {
        this.store = store;
        this.pollEvery = pollEvery;
    }

    /** Records the cancellation; a second one keeps the first. */
    public Cancellation cancel(String runId, String reason, String by) {
        Cancellation c = new Cancellation(runId, reason == null ? null : reason.substring(0, Math.min(500, reason.length())), by, Instant.now());
        if (!store.putIfUnchanged(ObjectKeys.runCancellation(runId), Json.writeBytes(c), "application/json", null)) {
            return find(runId).orElse(c);
        }
        return c;
    }

    public Optional<Cancellation> find(String runId) {
        return store.findJson(ObjectKeys.runCancellation(runId), Cancellation.class);
    }

    /** Watches one run while it trains: {@link Watch#check} throws {@link Cancelled} once it has been cancelled. */
    public Watch watch(String runId) {
        return new Watch(runId);
    }

    public final class Watch implements AutoCloseable {
        private final String runId;
        private final ScheduledFuture<?> polling;
        private volatile Cancellation cancellation;

        private Watch(String runId) {
            this.runId = runId;
            this.polling = poller.scheduleWithFixedDelay(this::poll, 0, pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void poll() {
            try {
                find(runId).ifPresent(c -> cancellation = c);
            } catch (RuntimeException e) {
                // storage down: the next poll tells; an outage does not cancel a run
            }
        }

        /** Called at every step: cheap, reads what the poller last saw. */
        public void check() {
            Cancellation c = cancellation;
            if (c != null) {
                throw new Cancelled(c);
            }
        }

        @Override
        public void close() {
            polling.cancel(false);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        poller.shutdownNow();
    }
}
