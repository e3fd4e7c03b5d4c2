package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Npz;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.manifest.ModelManifest.EpochSummary;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-epoch checkpoints of a run in object storage, so a trainer that dies mid-run resumes from its last finished
 * epoch instead of starting over. The state is every graph variable (weights, batch-norm statistics, optimizer
 * slots, Adam's beta powers) as a NumPy {@code .npz}; the shuffling RNG needs no state because each epoch's order
 * derives from (seed, epoch).
 */
@ApplicationScoped
public class Checkpoints {

    /**
     * A run's progress after {@code epoch} epochs.
     *
     * @param best      the best epoch's state when early stopping is on (else null), with its validation accuracy
     */
    public record TrainingCheckpoint(String runId, String preparedId, Hyperparameters hyperparameters,
                                     int epoch, long step, List<EpochSummary> history, StoredObject state,
                                     StoredObject best, int bestEpoch, double bestValidation, Instant time) implements Versioned {
    }

    private final ObjectStore store;

    public Checkpoints(ObjectStore store) {
        this.store = store;
    }

    /** The last checkpoint of this run, if it was for the same data and settings. */
    public Optional<TrainingCheckpoint> find(String runId, String preparedId, Hyperparameters hp) {
        return store.findJson(ObjectKeys.checkpoint(runId), TrainingCheckpoint.class)
                .filter(c -> c.preparedId().equals(preparedId) && c.hyperparameters().equals(hp));
    }

    public StoredObject saveState(String runId, String name, Map<String, float[]> state) {
        return store.put(ObjectKeys.checkpointState(runId, name), Npz.write(state), "application/zip");
    }

    /** Written last: a checkpoint names only state files that are already stored. */
    public void save(TrainingCheckpoint checkpoint) {
        store.putJson(ObjectKeys.checkpoint(checkpoint.runId()), checkpoint);
        // Older epochs' states are no longer referenced.
        for (String key : store.list(ObjectKeys.checkpointPrefix(checkpoint.runId()))) {
            boolean current = key.equals(checkpoint.state().key()) || (checkpoint.best() != null && key.equals(checkpoint.best().key()));
            if (key.endsWith(".npz") && !current) {
                store.remove(key);
            }
        }
    }

    public Map<String, float[]> load(StoredObject state) {
        return Npz.read(store.getVerified(state.key(), state.sha256()));
    }

    /** Once the model is stored the checkpoints have done their job. */
    public void delete(String runId) {
        store.list(ObjectKeys.checkpointPrefix(runId)).forEach(store::remove);
    }

}
