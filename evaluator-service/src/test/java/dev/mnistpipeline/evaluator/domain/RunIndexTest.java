package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.runs.Series;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.storage.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run records and the run list's index against a real S3 server (S3Proxy): two writers on one record at once, the
 * index rebuilt by a restarted replica and kept in line with another replica's writes and deletions, and the list's
 * filters, order and pages at their edges.
 */
class RunIndexTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static TestS3 s3;
    private static ObjectStore trainer;
    private static ObjectStore evaluator;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
        trainer = s3.client("run-history");
        evaluator = s3.client("run-history");
    }

    @AfterAll
    static void stop() {
        trainer.close();
        evaluator.close();
        s3.close();
    }

    private static RunRecord run(String runId, String arch, String dataset, String state, int minutes, Double testAccuracy,
                                 RunRecord.Origin origin, List<String> tags) {
        Hyperparameters hp = Hyperparameters.builder().architecture(arch).learningRate(1e-3 * (minutes + 1)).epochs(2).build();
        RunRecord r = RunRecord.created(runId, origin, null, "pp-" + dataset, "ds-" + dataset, dataset, hp, "queued", null,
                T0.plusSeconds(60L * minutes)).withState(state, null, T0.plusSeconds(60L * minutes + 1));
        if (testAccuracy != null) {
            r = r.withFigures(Map.of(RunRecord.Figures.TEST_ACCURACY, testAccuracy), "model-" + runId, null, r.updatedAt());
        }
        return r.withAnnotations(new RunRecord.Annotations(tags, tags.isEmpty() ? null : "Baseline " + runId, "op", T0), r.updatedAt());
    }

    private static void store(RunRecords records, RunRecord r) {
        records.update(r.runId(), before -> r);
    }

    @Test
    void twoWritersOnOneRecordAtOnceLoseNothing() throws Exception {
        RunRecords trainerSide = new RunRecords(trainer);
        RunRecords evaluatorSide = new RunRecords(evaluator);
        store(trainerSide, run("race", "cnn", "mnist", "training", 0, null, RunRecord.Origin.rest("op"), List.of()));
        int n = 25;
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> epochs = pool.submit(() -> {
                start.await();
                for (int e = 1; e <= n; e++) {
                    Series.Point p = new Series.Point(e * 10L, e, 0.1, 0.9, 0.9 + e / 1000.0, 100, e);
                    trainerSide.update("race", r -> r.withSeries(r.series().withEpoch(p), Instant.now()));
                }
                return null;
            });
            Future<?> figures = pool.submit(() -> {
                start.await();
                for (int i = 1; i <= n; i++) {
                    Map<String, Double> f = Map.of("figure" + i, (double) i);
                    evaluatorSide.update("race", r -> r.withFigures(f, null, null, Instant.now()));
                }
                return null;
            });
            epochs.get();
            figures.get();
        } finally {
            pool.shutdownNow();
        }
        RunRecord after = trainerSide.find("race").orElseThrow();
        assertEquals(n, after.series().epochs().size(), "every epoch the trainer wrote");
        for (int i = 1; i <= n; i++) {
            assertEquals((double) i, after.figures().get("figure" + i), "every figure the evaluator wrote");
        }
    }

    @Test
    void aRestartedReplicaIndexesEveryStoredRunAndResyncFollowsAnotherReplica() {
        String prefix = "restart-";
        RunRecords records = new RunRecords(trainer);
        for (int i = 0; i < 40; i++) {
            store(records, run(prefix + i, i % 2 == 0 ? "cnn" : "mlp", "mnist", "completed", i, 0.9 + i / 1000.0,
                    RunRecord.Origin.rest("op"), i % 5 == 0 ? List.of("restart-five") : List.of()));
        }
        RunIndex first = new RunIndex(evaluator, 4);
        first.load();
        RunQuery all = RunQuery.parse(prefix, null, null, null, null, null, null, null, "testAccuracy", "desc", 0, 500, first.figures());
        assertEquals(40, first.query(all).total());

        // Another replica tags one run, deletes one and records a new one; this replica resyncs.
        RunRecords other = new RunRecords(trainer);
        other.update(prefix + "3", r -> r.withAnnotations(new RunRecord.Annotations(List.of("restart-five"), "tagged elsewhere", "op2", Instant.now()), Instant.now()));
        other.remove(prefix + "0");
        store(other, run(prefix + "new", "cnn", "mnist", "queued", 50, null, RunRecord.Origin.TOPIC, List.of()));
        first.resync();
        RunQuery tagged = RunQuery.parse(null, null, null, null, "restart-five", null, null, null, null, null, 0, 500, first.figures());
        assertEquals(Set.of(prefix + "3", prefix + "5", prefix + "10", prefix + "15", prefix + "20", prefix + "25", prefix + "30", prefix + "35"),
                ids(first.query(tagged).runs()));
        assertEquals(40, first.query(all).total(), "one deleted, one added");

        // A restart: a new index over the same storage answers exactly as the running one.
        RunIndex restarted = new RunIndex(evaluator, 4);
        restarted.load();
        assertTrue(restarted.ready());
        assertEquals(ids(first.query(all).runs()), ids(restarted.query(all).runs()));
        assertEquals(listIds(first.query(all).runs()), listIds(restarted.query(all).runs()), "same order");
        assertEquals("tagged elsewhere", restarted.find(prefix + "3").orElseThrow().note());

        // From a snapshot, a restart reads only what changed since: here one tag, one deletion, nothing else.
        restarted.snapshot();
        other.update(prefix + "7", r -> r.withAnnotations(new RunRecord.Annotations(List.of("after-snapshot"), null, "op", Instant.now()), Instant.now()));
        other.remove(prefix + "8");
        RunIndex fromSnapshot = new RunIndex(evaluator, 4);
        assertEquals(1, fromSnapshot.load(), "records read besides the snapshot");
        assertEquals(List.of("after-snapshot"), fromSnapshot.find(prefix + "7").orElseThrow().tags());
        assertTrue(fromSnapshot.find(prefix + "8").isEmpty(), "deleted after the snapshot");
        first.resync();
        assertEquals(listIds(first.query(all).runs()), listIds(fromSnapshot.query(all).runs()));
    }

    @Test
    void filtersOrderAndPagesHoldAtTheirEdges() {
        RunRecords records = new RunRecords(trainer);
        String p = "edge-";
        store(records, run(p + "a", "cnn", "mnist", "completed", 100, 0.99, RunRecord.Origin.rest("op"), List.of("edge", "best")));
        store(records, run(p + "b", "cnn", "mnist", "completed", 101, 0.97, RunRecord.Origin.sweep("sw1"), List.of("edge")));
        store(records, run(p + "c", "lstm", "fashion-mnist", "failed", 102, null, RunRecord.Origin.sweep("sw1"), List.of("edge")));
        store(records, run(p + "d", "cnn", "mnist", "completed", 103, 0.97, RunRecord.Origin.CONTINUOUS, List.of("edge")));
        store(records, run(p + "e", "transformer", "mnist", "refused", 104, null, RunRecord.Origin.TOPIC, List.of("edge")));
        RunIndex index = new RunIndex(evaluator, 4);
        index.load();
        Set<String> figures = index.figures();

        // Sort by a figure: runs without it last, in either order; ties by run id.
        assertEquals(List.of(p + "a", p + "b", p + "d", p + "c", p + "e"),
                listIds(index.query(q("edge", null, null, null, "testAccuracy", "desc", 0, 50, figures)).runs()));
        assertEquals(List.of(p + "b", p + "d", p + "a", p + "c", p + "e"),
                listIds(index.query(q("edge", null, null, null, "testAccuracy", "asc", 0, 50, figures)).runs()));

        // Pages of one walk every run once; an offset at or past the end is an empty page with the total.
        List<String> walked = new ArrayList<>();
        for (int off = 0; off < 5; off++) {
            RunQuery.Page page = index.query(q("edge", null, null, null, "createdAt", "asc", off, 1, figures));
            assertEquals(5, page.total());
            walked.addAll(listIds(page.runs()));
        }
        assertEquals(List.of(p + "a", p + "b", p + "c", p + "d", p + "e"), walked);
        assertEquals(0, index.query(q("edge", null, null, null, null, null, 5, 10, figures)).runs().size());
        assertEquals(5, index.query(q("edge", null, null, null, null, null, 5000, 10, figures)).total());

        // Filters: states as a list, dataset by name, architecture, sweep, and the time range (from inclusive, to exclusive).
        assertEquals(Set.of(p + "a", p + "b", p + "c", p + "d"), ids(index.query(q("edge", "completed,failed", null, null, null, null, 0, 50, figures)).runs()));
        assertEquals(Set.of(p + "c"), ids(index.query(RunQuery.parse("edge", "fashion-mnist", null, null, null, null, null, null, null, null, 0, 50, figures)).runs()));
        assertEquals(Set.of(p + "b", p + "c"), ids(index.query(RunQuery.parse(null, null, null, null, null, "sw1", null, null, null, null, 0, 50, figures)).runs()));
        assertEquals(Set.of(p + "e"), ids(index.query(RunQuery.parse("edge", null, "transformer", null, null, null, null, null, null, null, 0, 50, figures)).runs()));
        String from = T0.plusSeconds(60 * 101).toString();
        String to = T0.plusSeconds(60 * 103).toString();
        assertEquals(Set.of(p + "b", p + "c"), ids(index.query(q("edge", null, from, to, null, null, 0, 50, figures)).runs()));
        assertEquals(Set.of(p + "a"), ids(index.query(q("BEST", null, null, null, null, null, 0, 50, figures)).runs()), "search is case-insensitive, on tags too");

        // What cannot be honoured is refused with why, never ignored.
        assertThrows(InvalidDataException.class, () -> q(null, "done", null, null, null, null, 0, 50, figures));
        assertThrows(InvalidDataException.class, () -> q(null, null, null, null, "accuracyy", null, 0, 50, figures));
        assertThrows(InvalidDataException.class, () -> q(null, null, null, null, null, "up", 0, 50, figures));
        assertThrows(InvalidDataException.class, () -> q(null, null, null, null, null, null, -1, 50, figures));
        assertThrows(InvalidDataException.class, () -> q(null, null, null, null, null, null, 0, 0, figures));
        assertThrows(InvalidDataException.class, () -> q(null, null, null, null, null, null, 0, RunQuery.MAX_LIMIT + 1, figures));
        assertThrows(InvalidDataException.class, () -> q(null, null, to, from, null, null, 0, 50, figures));
        assertThrows(InvalidDataException.class, () -> q(null, null, "yesterday", null, null, null, 0, 50, figures));
    }

    private static RunQuery q(String text, String state, String from, String to, String sort, String order, int offset, int limit,
                              Set<String> figures) {
        return RunQuery.parse(text, null, null, state, null, null, from, to, sort, order, offset, limit, figures);
    }

    private static Set<String> ids(List<RunSummary> runs) {
        return new HashSet<>(listIds(runs));
    }

    private static List<String> listIds(List<RunSummary> runs) {
        return runs.stream().map(RunSummary::runId).toList();
    }
}
