package dev.mnistpipeline.ingest.domain;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The content hashes of every published sample in the newest version of each dataset, kept in memory so that
 * appending a batch costs the batch and not the whole history. It is rebuilt from storage whenever the version it
 * describes is not the parent being extended (a restart, or another replica wrote in between), so storage stays the
 * truth. Memory grows with the number of distinct samples (8 bytes of hash each, plus set overhead), not with time.
 */
@ApplicationScoped
public class SampleIndex {
    private record Entry(String datasetId, Set<Long> hashes) {
    }

    private final Map<String, Entry> byName = new HashMap<>();

    /** The hashes of {@code datasetId}'s samples; {@code load} reads them from storage when not held. */
    public synchronized Set<Long> of(String name, String datasetId, Supplier<Set<Long>> load) {
        Entry entry = byName.get(name);
        if (entry == null || !entry.datasetId().equals(datasetId)) {
            entry = new Entry(datasetId, new HashSet<>(load.get()));
            byName.put(name, entry);
        }
        return entry.hashes();
    }

    /** The held set (with the batch's hashes added by the caller) now describes {@code datasetId}. */
    public synchronized void advance(String name, String datasetId) {
        Entry entry = byName.get(name);
        if (entry != null) {
            byName.put(name, new Entry(datasetId, entry.hashes()));
        }
    }

    /** Forgets {@code name}: the caller changed the held set but did not store the version it would describe. */
    public synchronized void forget(String name) {
        byName.remove(name);
    }
}
