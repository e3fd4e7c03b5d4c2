package dev.mnistpipeline.evaluator.domain;

import java.util.concurrent.ExecutionException;
import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageException;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The run list's index: a summary of every run record in memory, so {@code GET /runs} filters, sorts and pages
 * without touching storage. It is kept current three ways: {@link #load} starts from the last snapshot of the index
 * ({@link #snapshot}, with each record's ETag) and reads only the records a listing shows changed since, or every
 * record when there is none (one listing per 1,000 runs, then the records in parallel); {@link #changed} re-reads one record when a run reports
 * progress (the trainer writes the record before it publishes the report) or this replica changes it; and
 * {@link #resync} compares a listing's ETags with what it holds and reads only what differs, which brings in
 * another replica's tags and deletions.
 */
public class RunIndex {
    private static final Logger LOG = Logger.getLogger(RunIndex.class);

    /** A summary with the ETag of the record it was read from. */
    record Entry(RunSummary summary, String etag) {
    }

    /** The index as of {@code takenAt}: what a restart starts from. */
    record Snapshot(Instant takenAt, List<Entry> entries) {
    }

    private final ObjectStore store;
    private final RunRecords records;
    private final int readers;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger loaded = new AtomicInteger();
    /** Counts changes, so that a snapshot is written only when there is something new. */
    private final AtomicLong changes = new AtomicLong();
    private volatile int toLoad = -1;
    private volatile boolean ready;

    /** @param readers records read at once while loading */
    public RunIndex(ObjectStore store, int readers) {
        this.store = store;
        this.records = new RunRecords(store);
        this.readers = readers;
    }

    /**
     * Fills the index at startup, before {@link #ready}: the last snapshot, then the records changed since. Returns
     * the number of records read (not in the snapshot, or changed since).
     */
    public int load() {
        readSnapshot();
        int read = resync();
        ready = true;
        return read;
    }

    private void readSnapshot() {
        try {
            store.find(ObjectKeys.RUN_INDEX_SNAPSHOT).ifPresent(gz -> {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                    Json.MAPPER.readValue(in, Snapshot.class).entries().forEach(e -> entries.put(e.summary().runId(), e));
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("Run index snapshot unreadable (%s): reading every record instead", e.getMessage());
                    entries.clear();
                }
            });
        } catch (StorageException e) {
            LOG.warnf("Run index snapshot not read (%s): reading every record instead", e.getMessage());
        }
    }

    /**
     * Stores the index as it is now, for the next start (every replica may; the last one wins, and a stale snapshot
     * only costs the reads a resync makes anyway, since every entry carries its record's ETag).
     */
    public void snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            Json.MAPPER.writeValue(out, new Snapshot(Instant.now(), List.copyOf(entries.values())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.put(ObjectKeys.RUN_INDEX_SNAPSHOT, bytes.toByteArray(), "application/gzip");
    }

    public boolean ready() {
        return ready;
    }

    /** How far loading has come: records read of those listed (-1 before the listing). */
    public String progress() {
        return loaded.get() + " of " + (toLoad < 0 ? "?" : toLoad);
    }

    /**
     * Brings the index in line with storage: reads records whose ETag changed, drops those no longer stored. Returns
     * the number of records read.
     */
    public int resync() {
        Instant listedAt = Instant.now();
        List<ObjectStore.Listed> listed = records.list();
        Set<String> present = ConcurrentHashMap.newKeySet();
        List<String> changed = new ArrayList<>();
        for (ObjectStore.Listed l : listed) {
            String runId = ObjectKeys.runOfRecord(l.key());
            present.add(runId);
            Entry e = entries.get(runId);
            if (e == null || !l.etag().equals(e.etag())) {
                changed.add(runId);
            }
        }
        toLoad = changed.size();
        loaded.set(0);
        readAll(changed);
        // Gone from storage (deleted on another replica): dropped, unless it was (re)written after the listing.
        if (entries.entrySet().removeIf(e -> !present.contains(e.getKey())
                && (e.getValue().summary().updatedAt() == null || e.getValue().summary().updatedAt().isBefore(listedAt)))) {
            changes.incrementAndGet();
        }
        return changed.size();
    }

    private void readAll(List<String> runIds) {
        if (runIds.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(readers, runIds.size()), r -> {
            Thread t = new Thread(r, "run-index-load");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (String runId : runIds) {
                reads.add(pool.submit(() -> {
                    changed(runId);
                    loaded.incrementAndGet();
                }));
            }
            for (Future<?> f : reads) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted while loading the run index", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Re-reads one run's record: put, replaced, or dropped if it is gone. */
    public void changed(String runId) {
        Optional<RunRecords.Stored> stored = records.findStored(runId);
        if (stored.isEmpty()) {
            remove(runId);
        } else {
            put(stored.get());
        }
    }

    /** A record this replica just read or wrote; an older one never replaces a newer one. */
    public void put(RunRecords.Stored stored) {
        RunSummary summary = RunSummary.of(stored.record());
        changes.incrementAndGet();
        entries.merge(summary.runId(), new Entry(summary, stored.etag()), (old, fresh) ->
                old.summary().updatedAt() != null && fresh.summary().updatedAt() != null
                        && old.summary().updatedAt().isAfter(fresh.summary().updatedAt()) ? old : fresh);
    }

    public void remove(String runId) {
        if (entries.remove(runId) != null) {
            changes.incrementAndGet();
        }
    }

    /** A number that grows with every change: equal twice, nothing changed in between. */
    public long changes() {
        return changes.get();
    }

    /** Whether a progress report at {@code time} may be news: the index holds nothing as new for the run. */
    public boolean mayBeNewer(String runId, Instant time) {
        Entry e = entries.get(runId);
        return e == null || time == null || e.summary().updatedAt() == null || e.summary().updatedAt().isBefore(time);
    }

    public Optional<RunSummary> find(String runId) {
        return Optional.ofNullable(entries.get(runId)).map(Entry::summary);
    }

    public int size() {
        return entries.size();
    }

    /** Every figure name some run has: what the list can sort by beyond its fields. */
    public Set<String> figures() {
        Set<String> names = new TreeSet<>(RunRecord.Figures.ALL);
        entries.values().forEach(e -> names.addAll(e.summary().figures().keySet()));
        return names;
    }

    public RunQuery.Page query(RunQuery q) {
        List<RunSummary> matching = entries.values().stream().map(Entry::summary).filter(q.filter()).sorted(q.order()).toList();
        int from = Math.min(q.offset(), matching.size());
        int to = Math.min(from + q.limit(), matching.size());
        return new RunQuery.Page(matching.size(), q.offset(), q.limit(), q.sort(), q.orderName(), matching.subList(from, to));
    }
}
