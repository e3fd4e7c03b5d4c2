package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.data.Idx;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batcher alone, with storage replaced by a stand-in that blocks like an outage: it holds at most
 * {@code max-pending} samples and then makes the consumer wait, and it acknowledges nothing before it is stored.
 */
class SampleBatcherTest {

    /** Stores batches when released; records their sizes. */
    static final class BlockingIngestor extends DatasetIngestor {
        final CountDownLatch storageBack = new CountDownLatch(1);
        final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());

        BlockingIngestor() {
            super(null, null, null, 100_000, 1_000_000);
        }

        @Override
        public Optional<Result> appendSamples(String name, List<byte[]> images, byte[] labels) {
            try {
                assertTrue(storageBack.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            batches.add(images.size());
            return Optional.empty();
        }
    }

    @Test
    void aFullBatcherMakesTheConsumerWaitAndAcknowledgesOnlyWhatIsStored() throws Exception {
        BlockingIngestor ingestor = new BlockingIngestor();
        SampleBatcher batcher = new SampleBatcher(ingestor, 2, Duration.ofMinutes(1), 6);
        AtomicInteger acked = new AtomicInteger();
        List<CompletionStage<Void>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Acknowledgement source = new Acknowledgement() {
                @Override
                public void ack() {
                    acked.incrementAndGet();
                }

                @Override
                public void nack(Throwable reason) {
                    // a failed batch is delivered again; what this test counts is what was acknowledged
                }
            };
            answers.add(batcher.add("mnist", new byte[Idx.PIXELS], i % 10, source));
        }
        for (int i = 0; i < 5; i++) {
            assertTrue(answers.get(i).toCompletableFuture().isDone(), "room left after sample " + i);
        }
        CompletableFuture<Void> sixth = answers.get(5).toCompletableFuture();
        Thread.sleep(200);
        assertFalse(sixth.isDone(), "six held of six allowed: the consumer must wait");
        assertEquals(0, acked.get(), "nothing is acknowledged before storage has it");
        assertEquals(6, batcher.held());

        ingestor.storageBack.countDown();
        sixth.get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (acked.get() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(6, acked.get());
        assertEquals(6, ingestor.batches.stream().mapToInt(Integer::intValue).sum());
        assertTrue(ingestor.batches.size() < 6 && ingestor.batches.stream().anyMatch(size -> size > 2),
                "samples that waited during the outage go out together, not one batch of two at a time: " + ingestor.batches);
        assertEquals(0, batcher.held());
    }

    @Test
    void refusesASettingThatCouldNeverFlushAFullBatch() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new SampleBatcher(new BlockingIngestor(), 10, Duration.ofSeconds(1), 5));
    }
}
