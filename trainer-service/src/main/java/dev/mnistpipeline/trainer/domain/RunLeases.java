package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.quarkus.Schedulers;
import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One trainer per run at a time. A rebalance (a scale-up, a rolling update) can hand a run's request to a second
 * trainer while the first still trains it; without an owner both would write checkpoints and the model. The owner
 * holds a lease in storage ({@code leases/runs/<runId>.json}), taken and renewed by compare-and-swap on its ETag
 * and kept alive by a heartbeat; writes that matter (checkpoints, the model) check it first (fencing). Another
 * trainer that receives the run waits, as for an outage, until the lease is released or expires; then it finds
 * the model (and only announces it) or resumes from the last checkpoint. A request that finds its run held elsewhere
 * does not wait in the topic, where it would hold up every run behind it: it is parked ({@link WaitingRuns}). A trainer restarted under the same
 * instance id is the same owner and takes its lease back at once.
 */
@ApplicationScoped
public class RunLeases {
    private static final Logger LOG = Logger.getLogger(RunLeases.class);

    /** The stored lease. {@code token} changes with every acquisition; renewals keep it. */
    public record LeaseRecord(String runId, String owner, String token, Instant expiresAt) {
    }

    /** Another trainer owns the run: not bad input; the request waits, parked ({@link WaitingRuns}). */
    public static final class HeldElsewhere extends DependencyUnavailableException {
        HeldElsewhere(LeaseRecord held) {
            super("run " + held.runId() + " is being trained by " + held.owner() + " (lease until " + held.expiresAt() + ")");
        }
    }

    private final ObjectStore store;
    private final String owner;
    private final Duration ttl;
    private final ScheduledExecutorService heartbeat = Schedulers.daemon("run-lease-heartbeat");

    public RunLeases(ObjectStore store, @ConfigProperty(name = "pipeline.instance-id") String owner,
                     @ConfigProperty(name = "pipeline.trainer.lease-seconds", defaultValue = "30") int leaseSeconds) {
        this.store = store;
        this.owner = owner;
        this.ttl = Duration.ofSeconds(leaseSeconds);
    }

    /**
     * Takes the run's lease: free, expired or already this instance's.
     *
     * @throws HeldElsewhere while another trainer holds it
     */
    public Lease acquire(String runId) {
        String key = ObjectKeys.runLease(runId);
        Optional<ObjectStore.Versioned> current = store.findVersioned(key);
        Optional<LeaseRecord> held = current.map(v -> Json.read(v.data(), LeaseRecord.class));
        if (held.isPresent() && !held.get().owner().equals(owner) && held.get().expiresAt().isAfter(Instant.now())) {
            HeldElsewhere busy = new HeldElsewhere(held.get());
            LOG.infof("Waiting: %s", busy.getMessage());
            throw busy;
        }
        LeaseRecord mine = new LeaseRecord(runId, owner, UUID.randomUUID().toString(), Instant.now().plus(ttl));
        if (!store.putIfUnchanged(key, Json.writeBytes(mine), "application/json", current.map(ObjectStore.Versioned::etag).orElse(null))) {
            throw new HeldElsewhere(store.findJson(key, LeaseRecord.class).orElse(mine));
        }
        held.filter(h -> !h.owner().equals(owner)).ifPresent(h -> LOG.infof("Run %s: took over the expired lease of %s", runId, h.owner()));
        return new Lease(mine);
    }

    /** The lease of a run if another trainer holds it now (not expired); empty when this one could take it. */
    public Optional<LeaseRecord> heldElsewhere(String runId) {
        return store.findJson(ObjectKeys.runLease(runId), LeaseRecord.class)
                .filter(held -> !held.owner().equals(owner) && held.expiresAt().isAfter(Instant.now()));
    }

    void onStop(@Observes ShutdownEvent event) {
        heartbeat.shutdownNow();
    }

    /** A held lease: renewed in the background until released; {@link #check} before every write that matters. */
    public final class Lease implements AutoCloseable {
        private final String key;
        private volatile LeaseRecord record;
        private volatile String lostReason;
        private final ScheduledFuture<?> renewal;

        private Lease(LeaseRecord record) {
            this.key = ObjectKeys.runLease(record.runId());
            this.record = record;
            long every = Math.max(1, ttl.toMillis() / 3);
            this.renewal = heartbeat.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        }

        /** This acquisition's token: files this owner writes go under it ({@link ObjectKeys#attemptPrefix}). */
        public String token() {
            return record.token();
        }

        /** Fencing: throws if another trainer took the run since (this one was paused past its lease). */
        public void check() {
            Optional<LeaseRecord> stored = store.findJson(key, LeaseRecord.class);
            if (lostReason == null && stored.map(r -> !r.token().equals(record.token())).orElse(true)) {
                lostReason = "run " + record.runId() + " now belongs to " + stored.map(LeaseRecord::owner).orElse("nobody");
            }
            if (lostReason != null) {
                throw new HeldElsewhere(stored.orElse(record));
            }
        }

        private void renew() {
            try {
                Optional<ObjectStore.Versioned> current = store.findVersioned(key);
                LeaseRecord stored = current.map(v -> Json.read(v.data(), LeaseRecord.class)).orElse(null);
                if (stored == null || !stored.token().equals(record.token())) {
                    lostReason = "lease of " + record.runId() + " taken by " + (stored == null ? "nobody" : stored.owner());
                    renewal.cancel(false);
                    return;
                }
                LeaseRecord renewed = new LeaseRecord(record.runId(), owner, record.token(), Instant.now().plus(ttl));
                if (store.putIfUnchanged(key, Json.writeBytes(renewed), "application/json", current.get().etag())) {
                    record = renewed;
                }
            } catch (RuntimeException e) {
                // Storage is down: the lease may lapse, and check() will tell before the next write.
                LOG.warnf("Could not renew the lease of %s: %s", record.runId(), e.getMessage());
            }
        }

        /** Gives the run up: the next trainer need not wait for the lease to expire. */
        @Override
        public void close() {
            renewal.cancel(false);
            try {
                if (store.findJson(key, LeaseRecord.class).map(r -> r.token().equals(record.token())).orElse(false)) {
                    store.remove(key);
                }
            } catch (RuntimeException e) {
                LOG.warnf("Could not release the lease of %s (it expires by itself): %s", record.runId(), e.getMessage());
            }
        }
    }
}
