package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.quarkus.Schedulers;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Collects published samples per dataset name and turns each batch into a new dataset version, when it reaches
 * {@code pipeline.samples.batch-size} or {@code pipeline.samples.max-wait} after its first sample. The Kafka
 * messages are acknowledged only once their batch is stored, so a crash loses nothing.
 */
@ApplicationScoped
public class SampleBatcher {
    private static final Logger LOG = Logger.getLogger(SampleBatcher.class);

    private final DatasetIngestor ingestor;
    private final int batchSize;
    private final Duration maxWait;
    private final int maxPending;

    public SampleBatcher(DatasetIngestor ingestor,
                         @ConfigProperty(name = "pipeline.samples.batch-size", defaultValue = "100") int batchSize,
                         @ConfigProperty(name = "pipeline.samples.max-wait", defaultValue = "30s") Duration maxWait,
                         @ConfigProperty(name = "pipeline.samples.max-pending", defaultValue = "20000") int maxPending) {
        if (batchSize < 1 || maxPending < batchSize) {
            throw new IllegalStateException("pipeline.samples.batch-size must be at least 1 and at most pipeline.samples.max-pending");
        }
        this.ingestor = ingestor;
        this.batchSize = batchSize;
        this.maxWait = maxWait;
        this.maxPending = maxPending;
    }

    private record Pending(byte[] pixels, byte label, Acknowledgement source) {
    }

    private final Map<String, List<Pending>> pending = new HashMap<>();
    private int held;
    // Completed when a stored batch makes room; the consumer waits on it while the batcher is full.
    private CompletableFuture<Void> room = CompletableFuture.completedFuture(null);
    private final Map<String, ScheduledFuture<?>> timers = new HashMap<>();
    // One thread: batches are written in order and never concurrently.
    private final ScheduledExecutorService flusher = Schedulers.daemon("sample-batcher");

    /** Holds a valid sample for its batch; the answer completes when the next sample may be added. */
    public synchronized CompletionStage<Void> add(String dataset, byte[] pixels, int label, Acknowledgement source) {
        List<Pending> batch = pending.computeIfAbsent(dataset, k -> new ArrayList<>());
        batch.add(new Pending(pixels, (byte) label, source));
        held++;
        if (batch.size() == batchSize) {
            flusher.execute(() -> flush(dataset));
        } else if (batch.size() == 1) {
            timers.put(dataset, flusher.schedule(() -> flush(dataset), maxWait.toMillis(), TimeUnit.MILLISECONDS));
        }
        if (held >= maxPending && room.isDone()) {
            room = new CompletableFuture<>();
        }
        return room;
    }

    /** Samples held and not yet stored. */
    public synchronized int held() {
        return held;
    }

    private void flush(String dataset) {
        List<Pending> batch;
        synchronized (this) {
            batch = pending.remove(dataset);
            ScheduledFuture<?> timer = timers.remove(dataset);
            if (timer != null) {
                timer.cancel(false);
            }
        }
        if (batch == null || batch.isEmpty()) {
            return;
        }
        try {
            store(dataset, batch);
        } finally {
            CompletableFuture<Void> waiting;
            synchronized (this) {
                held -= batch.size();
                waiting = room;
            }
            waiting.complete(null);
        }
    }

    private void store(String dataset, List<Pending> batch) {
        try {
            byte[] labels = new byte[batch.size()];
            List<byte[]> images = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                labels[i] = batch.get(i).label();
                images.add(batch.get(i).pixels());
            }
            var result = ingestor.appendSamples(dataset, images, labels);
            LOG.infof("Batch of %d samples for '%s': %s", batch.size(), dataset,
                    result.map(r -> "dataset " + r.manifest().datasetId()).orElse("all already stored"));
            batch.forEach(p -> p.source().ack());
        } catch (RuntimeException e) {
            // Outages were retried inside appendSamples until storage answered; what arrives here is bad input
            // (no dataset of that name to extend), which goes to the dead-letter topic with the reason.
            LOG.errorf("Batch of %d samples for '%s' failed: %s", batch.size(), dataset, e.getMessage());
            batch.forEach(p -> p.source().nack(e));
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        flusher.shutdownNow();
    }
}
