package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the memory that dataset ingests hold: one full MNIST upload holds its four files, inflated and validated,
 * about 200 MB at once. At most {@code pipeline.ingest.max-concurrent} ingests run together; one more waits up to
 * {@code pipeline.ingest.slot-wait} for a slot and is then answered 503 with Retry-After, never an out-of-memory
 * error for everyone.
 */
@ApplicationScoped
public class IngestSlots {
    private final Semaphore slots;
    private final int size;
    private final Duration wait;

    public IngestSlots(@ConfigProperty(name = "pipeline.ingest.max-concurrent", defaultValue = "2") int size,
                       @ConfigProperty(name = "pipeline.ingest.slot-wait", defaultValue = "10s") Duration wait) {
        this.slots = new Semaphore(size, true);
        this.size = size;
        this.wait = wait;
    }

    /** A held slot; close it when the ingest is done. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    public Slot acquire() {
        try {
            if (!slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DependencyUnavailableException("the ingest service is already ingesting " + size
                        + " datasets (pipeline.ingest.max-concurrent); send again shortly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted while waiting for an ingest slot", e);
        }
        return slots::release;
    }
}
