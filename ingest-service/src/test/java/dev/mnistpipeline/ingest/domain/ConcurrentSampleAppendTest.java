package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.events.PipelineEvent;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.storage.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two ingest replicas (each its own ingestor and sample index, as two pods would have) extending one dataset at the
 * same time on a real S3 server, with batches that overlap each other and repeat earlier ones: the versions form one
 * line from the base, every distinct sample is in the newest version exactly once, and no version that lost the race
 * is left to be listed.
 */
class ConcurrentSampleAppendTest {
    private static TestS3 s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void twoReplicasExtendingOneDatasetAtOnceKeepOneLineWithEachSampleOnce() throws Exception {
        try (ObjectStore store = s3.client("two-replicas")) {
            List<PipelineEvent> announced = new ArrayList<>();
            DatasetIngestor a = replica(store, announced);
            DatasetIngestor b = replica(store, announced);
            String base = a.ingest("digits", "test", new RawDataset(Idx.writeImages(2, new byte[2 * Idx.PIXELS]), Idx.writeLabels(new byte[2]),
                    Idx.writeImages(1, new byte[Idx.PIXELS]), Idx.writeLabels(new byte[1]))).manifest().datasetId();

            // 12 batches of 40 per replica; each batch shares 10 samples with the other replica's batch of the same
            // round, and every third batch repeats the replica's previous one (a redelivery).
            int rounds = 12, size = 40;
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Integer>> done = new ArrayList<>();
            for (DatasetIngestor replica : List.of(a, b)) {
                int offset = replica == a ? 0 : size - 10;
                done.add(pool.submit((Callable<Integer>) () -> {
                    int versions = 0;
                    for (int round = 0; round < rounds; round++) {
                        int first = (round % 3 == 2 ? round - 1 : round) * 100 + offset;
                        versions += replica.appendSamples("digits", images(first, size), labels(first, size)).isPresent() ? 1 : 0;
                    }
                    return versions;
                }));
            }
            int versions = 0;
            for (Future<Integer> f : done) {
                versions += f.get();
            }
            pool.shutdown();

            String newest = store.findText(ObjectKeys.latestDataset("digits")).orElseThrow();
            Map<Long, Integer> seen = new HashMap<>();
            DatasetManifest m = store.getJson(ObjectKeys.datasetManifest(newest), DatasetManifest.class);
            for (DatasetManifest.Part part : m.train()) {
                if (DatasetManifest.SAMPLES.equals(part.origin())) {
                    byte[] px = Idx.readImages(store.getVerified(part.imagesKey(), part.imagesSha256()), "images").pixels();
                    for (int i = 0; i < part.count(); i++) {
                        seen.merge(sampleNumber(px, i), 1, Integer::sum);
                    }
                }
            }
            // distinct samples: per round (rounds that are not repeats) the union of both replicas' batches
            long distinct = 0;
            for (int round = 0; round < rounds; round++) {
                distinct += round % 3 == 2 ? 0 : 2L * size - 10;
            }
            assertEquals(distinct, seen.size(), "every distinct sample landed");
            assertTrue(seen.values().stream().allMatch(n -> n == 1), "no sample twice: " + seen);

            // one line: from the newest back to the base, each version's parent is the one before, and holds one part fewer
            int depth = 0;
            for (Optional<String> id = Optional.of(newest); !id.get().equals(base); depth++) {
                DatasetManifest v = store.getJson(ObjectKeys.datasetManifest(id.get()), DatasetManifest.class);
                DatasetManifest parent = store.getJson(ObjectKeys.datasetManifest(v.parentId()), DatasetManifest.class);
                assertEquals(parent.train(), v.train().subList(0, v.train().size() - 1), "a version extends its parent by one part");
                id = Optional.of(v.parentId());
            }
            assertEquals(versions, depth, "each version that a replica made is in the line");
            // A version that lost the swap is removed: listed, the name has the base and its line, nothing else.
            assertEquals(versions + 1, a.list().size(), "no version outside the line is listed");
        }
    }

    @Test
    void aReplicaLearnsWhatAnotherReplicasPartHoldsFromItsHashesAlone() {
        try (ObjectStore store = s3.client("hashes-beside-parts")) {
            List<PipelineEvent> announced = new ArrayList<>();
            DatasetManifest extended = thirtySamplesAppended(replica(store, announced));
            DatasetManifest.Part part = extended.train().get(extended.train().size() - 1);
            assertEquals(30 * Long.BYTES, store.getVerified(part.hashesKey(), part.hashesSha256()).length, "8 bytes per sample");

            // Without the images, only the hashes can tell the second replica which samples the part holds. (Its
            // batches are other sets of samples than the part's, so the blobs it writes first are not the part's own.)
            store.remove(part.imagesKey());
            DatasetIngestor b = replica(store, announced);
            assertTrue(b.appendSamples("digits", images(5, 20), labels(5, 20)).isEmpty(), "all 20 already in the newest version");
            DatasetManifest grown = b.appendSamples("digits", images(20, 20), labels(20, 20)).orElseThrow().manifest();
            assertEquals(10, grown.train().get(grown.train().size() - 1).count(), "only the 10 samples the part did not hold");
        }
    }

    @Test
    void aSamplePartStoredBeforeItsHashesBlobExistedIsReadFromItsImages() {
        try (ObjectStore store = s3.client("parts-without-hashes")) {
            List<PipelineEvent> announced = new ArrayList<>();
            DatasetManifest extended = thirtySamplesAppended(replica(store, announced));
            // The newest version as an older ingest wrote it: its sample part without a hashes blob.
            List<DatasetManifest.Part> train = new ArrayList<>(extended.train());
            DatasetManifest.Part part = train.remove(train.size() - 1);
            train.add(new DatasetManifest.Part(part.imagesKey(), part.imagesSha256(), part.labelsKey(), part.labelsSha256(),
                    part.count(), part.origin()));
            store.putJson(ObjectKeys.datasetManifest(extended.datasetId()), new DatasetManifest(extended.datasetId(), extended.name(),
                    extended.parentId(), extended.source(), train, extended.test(), extended.trainCount(), extended.testCount(),
                    extended.createdAt()));
            store.remove(part.hashesKey());

            DatasetIngestor b = replica(store, announced);
            assertTrue(b.appendSamples("digits", images(5, 20), labels(5, 20)).isEmpty(), "all 20 already in the newest version");
        }
    }

    /** A base dataset 'digits' of one example, extended by {@code replica} with samples 0-29: the new version. */
    private static DatasetManifest thirtySamplesAppended(DatasetIngestor replica) {
        replica.ingest("digits", "test", new RawDataset(Idx.writeImages(1, new byte[Idx.PIXELS]), Idx.writeLabels(new byte[1]),
                Idx.writeImages(1, new byte[Idx.PIXELS]), Idx.writeLabels(new byte[1])));
        return replica.appendSamples("digits", images(0, 30), labels(0, 30)).orElseThrow().manifest();
    }

    private static DatasetIngestor replica(ObjectStore store, List<PipelineEvent> announced) {
        EventOutlet outlet = new EventOutlet() {
            @Override
            public void send(PipelineEvent event) {
                announced.add(event);
            }

            @Override
            public boolean publishOnce(PipelineEvent event) {
                synchronized (announced) {
                    return announced.add(event);
                }
            }
        };
        return new DatasetIngestor(store, outlet, new SampleIndex(), 100_000, 1_000_000);
    }

    /** Sample n: its number written into its first three pixels, label n % 10. */
    private static List<byte[]> images(int first, int count) {
        List<byte[]> images = new ArrayList<>();
        for (int n = first; n < first + count; n++) {
            byte[] px = new byte[Idx.PIXELS];
            px[0] = (byte) (n & 0xff);
            px[1] = (byte) ((n >> 8) & 0xff);
            px[2] = (byte) 1;
            images.add(px);
        }
        return images;
    }

    private static byte[] labels(int first, int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) ((first + i) % 10);
        }
        return labels;
    }

    private static long sampleNumber(byte[] pixels, int index) {
        return (pixels[index * Idx.PIXELS] & 0xff) | (pixels[index * Idx.PIXELS + 1] & 0xff) << 8;
    }
}
