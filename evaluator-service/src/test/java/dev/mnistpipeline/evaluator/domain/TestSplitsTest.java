package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.storage.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Test splits read ahead and kept by prepared id, against a real S3 server: what is kept is served without storage
 * (its objects are removed to prove it), what is not kept is read again, and a read-ahead that failed is redone by
 * the evaluation itself.
 */
class TestSplitsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestS3 s3;
    private static ObjectStore store;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
        store = s3.client("test-splits");
    }

    @AfterAll
    static void stop() {
        store.close();
        s3.close();
    }

    private static PreparedManifest prepared(String preparedId, int count, float value, boolean storeManifest) {
        return PreparedTestSplits.store(store, preparedId, count, value, storeManifest);
    }

    private static void removeShards(String preparedId) {
        PreparedTestSplits.removeShards(store, preparedId);
    }

    @Test
    void aSplitReadAheadIsServedFromMemoryEvenOnceItsObjectsAreGone() throws Exception {
        TestSplits splits = new TestSplits(store, 2);
        PreparedManifest manifest = prepared("pp-ahead", 30, 0.5f, true);
        PreparedSplit ahead = splits.readAhead("pp-ahead").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(30, ahead.count());
        assertSame(ahead, splits.readAhead("pp-ahead").getNow(null), "read once, not again");
        removeShards("pp-ahead");
        PreparedSplit split = splits.get(manifest);
        assertSame(ahead, split);
        assertEquals(0.5f, split.images()[Idx.PIXELS * 29]);
        assertArrayEquals(new byte[]{0, 1, 2}, Arrays.copyOf(split.labels(), 3));
    }

    @Test
    void theLeastRecentlyUsedSplitIsDroppedBeyondTheLimitAndReadAgain() {
        TestSplits splits = new TestSplits(store, 1);
        PreparedManifest first = prepared("pp-first", 5, 0.1f, false);
        PreparedManifest second = prepared("pp-second", 5, 0.2f, false);
        splits.get(first);
        splits.get(second);
        removeShards("pp-second");
        assertEquals(0.2f, splits.get(second).images()[0], "the newest is kept");
        removeShards("pp-first");
        assertThrows(RuntimeException.class, () -> splits.get(first), "the older one was dropped, so storage is read");
    }

    @Test
    void aFailedReadAheadIsRedoneByTheEvaluation() throws Exception {
        TestSplits splits = new TestSplits(store, 2);
        // No manifest stored yet: reading ahead fails.
        assertThrows(Exception.class, () -> splits.readAhead("pp-late").get(WAIT.toSeconds(), TimeUnit.SECONDS));
        PreparedManifest manifest = prepared("pp-late", 7, 0.3f, true);
        assertEquals(7, splits.get(manifest).count());
    }

    @Test
    void keepingNothingReadsEveryTimeAndRefusesANegativeLimit() throws Exception {
        TestSplits splits = new TestSplits(store, 0);
        PreparedManifest manifest = prepared("pp-none", 4, 0.4f, true);
        assertNull(splits.readAhead("pp-none").get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(4, splits.get(manifest).count());
        removeShards("pp-none");
        assertThrows(RuntimeException.class, () -> splits.get(manifest));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new TestSplits(store, -1));
        assertEquals("pipeline.evaluator.test-splits-kept must be 0 or more, got -1", refused.getMessage());
    }
}
