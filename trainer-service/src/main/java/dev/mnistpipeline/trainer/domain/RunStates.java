package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Optional;

/**
 * Every accepted run's state, in storage ({@code runs/<runId>/state.json}) so that any trainer replica answers
 * {@code GET /trainings/{runId}} alike: queued, waiting (and why), training, completed, failed, cancelled, refused (and why).
 */
@ApplicationScoped
public class RunStates {
    private static final Logger LOG = Logger.getLogger(RunStates.class);

    public static final String QUEUED = "queued";
    public static final String WAITING = "waiting";
    public static final String TRAINING = "training";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final String REFUSED = "refused";

    /** @param reason why it waits, failed or was cancelled; null otherwise */
    public record RunState(String runId, String state, String reason, Instant since) {
    }

    private final ObjectStore store;

    public RunStates(ObjectStore store) {
        this.store = store;
    }

    public void set(String runId, String state, String reason) {
        store.putJson(ObjectKeys.runState(runId), new RunState(runId, state, reason, Instant.now()));
    }

    /** {@link #set}, for progress reports: a state that cannot be stored now must not fail the run. */
    void setQuietly(String runId, String state, String reason) {
        try {
            set(runId, state, reason);
        } catch (RuntimeException e) {
            LOG.warnf("Could not record run %s as %s: %s", runId, state, e.getMessage());
        }
    }

    public Optional<RunState> find(String runId) {
        return store.findJson(ObjectKeys.runState(runId), RunState.class);
    }

    /** The state a progress phase stands for, or null for phases within a state (steps, epochs, checks). */
    public static String ofPhase(RunPhase phase) {
        return switch (phase) {
            case STARTED, RESUMED -> TRAINING;
            case WAITING -> WAITING;
            case COMPLETED -> COMPLETED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            case REFUSED -> REFUSED;
            default -> null;
        };
    }
}
