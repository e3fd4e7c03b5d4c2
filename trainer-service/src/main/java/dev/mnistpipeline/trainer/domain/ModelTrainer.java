package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore.Document;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Where a prepared dataset becomes a model, the run's lifecycle: takes the run's lease ({@link RunLeases}: a second
 * trainer stays off a run in progress), honours a cancellation, has {@link TrainingSessions} train it, hands the
 * weights to the {@link ModelExporter}, stores the manifest create-only and announces {@code model.trained}. The
 * model id derives from the run id, so a redelivered request finds the model and trains nothing twice.
 */
@ApplicationScoped
public class ModelTrainer {
    private static final Logger LOG = Logger.getLogger(ModelTrainer.class);

    private final ObjectStore store;
    private final EventOutlet modelTrained;
    private final TrainingProgress progress;
    private final TrainingSessions sessions;
    private final ModelExporter exporter;
    private final RunLeases leases;
    private final RunCancellations cancellations;

    public ModelTrainer(ObjectStore store, @Outlet(Topics.Channels.MODEL_TRAINED) EventOutlet modelTrained,
                        TrainingProgress progress, TrainingSessions sessions, ModelExporter exporter, RunLeases leases,
                        RunCancellations cancellations) {
        this.store = store;
        this.modelTrained = modelTrained;
        this.progress = progress;
        this.sessions = sessions;
        this.exporter = exporter;
        this.leases = leases;
        this.cancellations = cancellations;
    }

    public ModelManifest train(AcceptedRun run) {
        String manifestKey = ObjectKeys.modelManifest(run.modelId());
        Optional<Document<ModelManifest>> existing = store.findDocument(manifestKey, ModelManifest.class);
        if (existing.isPresent()) {
            // Its owner stores the manifest and then announces it, under its lease: while another trainer holds the
            // lease, this request waits (parked) instead of announcing the same model a second time.
            Optional<RunLeases.LeaseRecord> owner = leases.heldElsewhere(run.runId());
            if (owner.isPresent()) {
                throw new RunLeases.HeldElsewhere(owner.get());
            }
            LOG.infof("Run %s already produced %s; not training again", run.runId(), run.modelId());
            modelTrained.publishOnce(existing.get().value().announcement(existing.get().stored()));
            return existing.get().value();
        }
        try (RunLeases.Lease lease = leases.acquire(run.runId())) {
            // The trainer that held the run before may have finished it while this one waited.
            Optional<Document<ModelManifest>> finished = store.findDocument(manifestKey, ModelManifest.class);
            if (finished.isPresent()) {
                modelTrained.publishOnce(finished.get().value().announcement(finished.get().stored()));
                return finished.get().value();
            }
            RunReporter reporter = progress.reporter(run);
            Optional<RunCancellations.Cancellation> cancelled = cancellations.find(run.runId());
            if (cancelled.isPresent()) {
                // A redelivered or re-sent request for a cancelled run does not start it again.
                LOG.infof("Run %s was cancelled; not training it", run.runId());
                reporter.cancelled(new RunCancellations.Cancelled(cancelled.get()).getMessage());
                return null;
            }
            try (RunCancellations.Watch watch = cancellations.watch(run.runId())) {
                ModelManifest manifest = exporter.export(sessions.train(run, reporter, lease, watch), lease.token());
                lease.check();
                // Create-only: if a former owner, paused past its lease, still gets here, one manifest wins and it
                // names the files of one attempt only.
                byte[] bytes = Json.writeBytes(manifest);
                if (!store.putIfUnchanged(manifestKey, bytes, "application/json", null)) {
                    LOG.warnf("Run %s: another trainer stored %s first; this attempt's files are dropped", run.runId(), run.modelId());
                    store.list(ObjectKeys.attemptPrefix(run.modelId(), lease.token())).forEach(store::remove);
                    Document<ModelManifest> first = store.findDocument(manifestKey, ModelManifest.class).orElseThrow();
                    modelTrained.publishOnce(first.value().announcement(first.stored()));
                    return first.value();
                }
                StoredObject stored = new StoredObject(manifestKey, Sha256.hex(bytes), bytes.length);
                sessions.discardCheckpoints(run.runId());
                modelTrained.publishOnce(manifest.announcement(stored));
                reporter.completed(manifest);
                return manifest;
            } catch (RunCancellations.Cancelled e) {
                LOG.infof("Run %s stopped: %s", run.runId(), e.getMessage());
                sessions.discardCheckpoints(run.runId());
                reporter.cancelled(e.getMessage());
                return null;
            } catch (RuntimeException e) {
                if (!Outages.isOutage(e)) {
                    reporter.failed(e); // an outage is retried, and another owner's run is theirs to report
                }
                throw e;
            }
        }
    }
}
