package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The test splits models are scored on, kept in memory by prepared id and read ahead while a run trains, so that
 * its evaluation starts with the split loaded and verified instead of reading and checking 31 MB (MNIST) while the
 * model waits. A prepared id names its content, so a kept split never goes stale. At most
 * {@code pipeline.evaluator.test-splits-kept} splits are kept, the least recently used dropped first; 0 turns
 * keeping and reading ahead off.
 */
@ApplicationScoped
public class TestSplits {
    private static final Logger LOG = Logger.getLogger(TestSplits.class);

    private final ObjectStore store;
    private final int kept;
    private final Map<String, CompletableFuture<PreparedSplit>> splits = new LinkedHashMap<>(4, 0.75f, true);
    /** One reader: reading ahead is background work and never competes with itself. */
    private final ExecutorService reader = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "test-split-read-ahead");
        t.setDaemon(true);
        return t;
    });

    public TestSplits(ObjectStore store,
                      @ConfigProperty(name = "pipeline.evaluator.test-splits-kept", defaultValue = "2") int kept) {
        if (kept < 0) {
            throw new IllegalArgumentException("pipeline.evaluator.test-splits-kept must be 0 or more, got " + kept);
        }
        this.store = store;
        this.kept = kept;
    }

    /** The test split of {@code prepared}: the one kept or being read ahead, else read now (and kept). */
    public PreparedSplit get(PreparedManifest prepared) {
        CompletableFuture<PreparedSplit> ahead = find(prepared.preparedId());
        if (ahead != null) {
            try {
                return ahead.join();
            } catch (CompletionException e) {
                // Reading ahead failed (an outage, say): read it now, where a failure is the evaluation's own.
                forget(prepared.preparedId(), ahead);
            }
        }
        PreparedSplit split = PreparedSplit.load(store, prepared, PreparedManifest.TEST);
        keep(prepared.preparedId(), CompletableFuture.completedFuture(split));
        return split;
    }

    /**
     * A run of {@code preparedId} started training: its test split is read in the background, if not kept yet.
     *
     * @return the split kept or being read; one that completes with null when nothing is kept (0)
     */
    public CompletableFuture<PreparedSplit> readAhead(String preparedId) {
        if (kept == 0 || preparedId == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<PreparedSplit> known = find(preparedId);
        if (known != null) {
            return known;
        }
        CompletableFuture<PreparedSplit> reading = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            PreparedManifest prepared = store.getJson(ObjectKeys.preparedManifest(preparedId), PreparedManifest.class);
            PreparedSplit split = PreparedSplit.load(store, prepared, PreparedManifest.TEST);
            LOG.infof("Read ahead the test split of %s for its evaluation: %d images in %.2f s", preparedId,
                    split.count(), (System.nanoTime() - start) / 1e9);
            return split;
        }, reader);
        reading.whenComplete((split, failure) -> {
            if (failure != null) {
                LOG.warnf("Reading ahead the test split of %s failed (%s); its evaluation will read it", preparedId,
                        failure.getMessage());
                forget(preparedId, reading);
            }
        });
        keep(preparedId, reading);
        return reading;
    }

    /** The reader's thread ends with the service (a restarted application would otherwise leave one idle behind). */
    @PreDestroy
    void stop() {
        reader.shutdownNow();
    }

    /** Whether the split of {@code preparedId} is kept or being read. */
    public boolean holds(String preparedId) {
        return find(preparedId) != null;
    }

    private CompletableFuture<PreparedSplit> find(String preparedId) {
        synchronized (splits) {
            return splits.get(preparedId);
        }
    }

    private void keep(String preparedId, CompletableFuture<PreparedSplit> split) {
        if (kept == 0) {
            return;
        }
        synchronized (splits) {
            splits.put(preparedId, split);
            var eldest = splits.keySet().iterator();
            while (splits.size() > kept) {
                eldest.next();
                eldest.remove();
            }
        }
    }

    private void forget(String preparedId, CompletableFuture<PreparedSplit> split) {
        synchronized (splits) {
            splits.remove(preparedId, split);
        }
    }
}
