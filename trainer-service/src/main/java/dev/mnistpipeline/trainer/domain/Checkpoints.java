package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Npy;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.manifest.ModelManifest.EpochSummary;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

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
    public record TrainingCheckpoint(int schemaVersion, String runId, String preparedId, Hyperparameters hyperparameters,
                                     int epoch, long step, List<EpochSummary> history, StoredObject state,
                                     StoredObject best, int bestEpoch, double bestValidation, Instant time) {
    }

    @Inject
    ObjectStore store;

    /** The last checkpoint of this run, if it was for the same data and settings. */
    public Optional<TrainingCheckpoint> find(String runId, String preparedId, Hyperparameters hp) {
        return store.findJson(ObjectKeys.checkpoint(runId), TrainingCheckpoint.class)
                .filter(c -> c.preparedId().equals(preparedId) && c.hyperparameters().equals(hp));
    }

    public StoredObject saveState(String runId, String name, Map<String, float[]> state) {
        return store.put(ObjectKeys.checkpointState(runId, name), npz(state), "application/zip");
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
        return fromNpz(store.getVerified(state.key(), state.sha256()));
    }

    /** Once the model is stored the checkpoints have done their job. */
    public void delete(String runId) {
        store.list(ObjectKeys.checkpointPrefix(runId)).forEach(store::remove);
    }

    static byte[] npz(Map<String, float[]> state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var e : state.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(Npy.writeFloats(e.getValue(), e.getValue().length));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Map<String, float[]> fromNpz(byte[] data) {
        Map<String, float[]> state = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName().substring(0, e.getName().length() - ".npy".length());
                state.put(name, Npy.read(zip.readAllBytes()).floats());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return state;
    }
}
