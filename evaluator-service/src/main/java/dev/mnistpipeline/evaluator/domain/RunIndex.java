package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import org.jboss.logging.Logger;

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

/**
 * The run list's index: a summary of every run record in memory, so {@code GET /runs} filters, sorts and pages
 * without touching storage. It is kept current three ways: {@link #load} reads every record once at startup (one
 * listing per 1,000 runs, then the records in parallel); {@link #changed} re-reads one record when a run reports
 * progress (the trainer writes the record before it publishes the report) or this replica changes it; and
 * {@link #resync} compares a listing's ETags with what it holds and reads only what differs, which brings in
 * another replica's tags and deletions.
 */
public class RunIndex {
    private static final Logger LOG = Logger.getLogger(RunIndex.class);

    /** A summary with the ETag of the record it was read from. */
    private record Entry(RunSummary summary, String etag) {
    }

    private final RunRecords records;
    private final int readers;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger loaded = new AtomicInteger();
    private volatile int toLoad = -1;
    private volatile boolean ready;

    /** @param readers records read at once while loading */
    public RunIndex(ObjectStore store, int readers) {
        this.records = new RunRecords(store);
        this.readers = readers;
    }

    /** Reads every record in storage: at startup, before {@link #ready}. Returns the number of runs. */
    public int load() {
        resync();
        ready = true;
        return entries.size();
    }

    public boolean ready() {
        return ready;
    }

    /** How far loading has come: records read of those listed (-1 before the listing). */
    public String progress() {
        return loaded.get() + " of " + (toLoad < 0 ? "?" : toLoad);
    }

    /** Brings the index in line with storage: reads records whose ETag changed, drops those no longer stored. */
    public void resync() {
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
        entries.entrySet().removeIf(e -> !present.contains(e.getKey())
                && (e.getValue().summary().updatedAt() == null || e.getValue().summary().updatedAt().isBefore(listedAt)));
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
        } catch (java.util.concurrent.ExecutionException e) {
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
            entries.remove(runId);
        } else {
            put(stored.get());
        }
    }

    /** A record this replica just read or wrote; an older one never replaces a newer one. */
    public void put(RunRecords.Stored stored) {
        RunSummary summary = RunSummary.of(stored.record());
        entries.merge(summary.runId(), new Entry(summary, stored.etag()), (old, fresh) ->
                old.summary().updatedAt() != null && fresh.summary().updatedAt() != null
                        && old.summary().updatedAt().isAfter(fresh.summary().updatedAt()) ? old : fresh);
    }

    public void remove(String runId) {
        entries.remove(runId);
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
