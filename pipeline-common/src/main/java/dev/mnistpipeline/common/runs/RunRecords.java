package dev.mnistpipeline.common.runs;

import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Run records in storage, one object per run ({@link ObjectKeys#runRecord}). Every change is a compare-and-swap on the
 * record's ETag, retried on a lost race, so writers on several replicas (a trainer reporting progress, an evaluator
 * adding figures or tags) never overwrite each other.
 */
public final class RunRecords {
    /** Lost races in a row before giving up: each loser re-reads and applies its change again. */
    static final int ATTEMPTS = 50;

    /** A record as stored, with its ETag (what the index compares against a listing). */
    public record Stored(RunRecord record, String etag, long size) {
    }

    private final ObjectStore store;

    public RunRecords(ObjectStore store) {
        this.store = store;
    }

    public Optional<RunRecord> find(String runId) {
        return findStored(runId).map(Stored::record);
    }

    public Optional<Stored> findStored(String runId) {
        return store.findVersioned(ObjectKeys.runRecord(runId)).map(v -> new Stored(
                Json.readVersioned(new String(v.data(), java.nio.charset.StandardCharsets.UTF_8), RunRecord.class),
                ObjectStore.plainEtag(v.etag()), v.data().length));
    }

    /**
     * Applies {@code change} to the stored record (null when there is none) and stores the result, unless it is the
     * same object (nothing to write) or null (write nothing). Returns what is stored afterwards; empty if none.
     */
    public Optional<Stored> update(String runId, UnaryOperator<RunRecord> change) {
        String key = ObjectKeys.runRecord(runId);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<Stored> current = findStored(runId);
            RunRecord before = current.map(Stored::record).orElse(null);
            RunRecord after = change.apply(before);
            if (after == null || after == before) {
                return current;
            }
            byte[] bytes = Json.writeBytes(after);
            Optional<String> written = store.putIfUnchangedTagged(key, bytes, "application/json", current.map(Stored::etag).orElse(null));
            if (written.isPresent()) {
                return Optional.of(new Stored(after, written.get(), bytes.length));
            }
        }
        throw new ConflictException("run record " + runId + " changed " + ATTEMPTS + " times while being updated; try again");
    }

    public void remove(String runId) {
        store.remove(ObjectKeys.runRecord(runId));
    }

    /** Every stored record's key, ETag and size: one listing request per 1,000 runs. */
    public List<ObjectStore.Listed> list() {
        return store.listWithTags(ObjectKeys.RUN_HISTORY_PREFIX).stream()
                .filter(l -> ObjectKeys.runOfRecord(l.key()) != null).toList();
    }
}
