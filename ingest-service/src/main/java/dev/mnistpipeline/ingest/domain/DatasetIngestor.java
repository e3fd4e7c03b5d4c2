package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.manifest.DatasetManifest.Part;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore.Document;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.nio.charset.StandardCharsets;

/**
 * Where raw data becomes a stored, versioned dataset. Everything is validated before anything is written, so a bad
 * upload leaves nothing behind. Versions are content-addressed: identical data yields the same id and no new version.
 */
@ApplicationScoped
public class DatasetIngestor {
    private static final Logger LOG = Logger.getLogger(DatasetIngestor.class);

    private final ObjectStore store;
    /** Swaps one replica may lose in a row to others extending the same name before it gives up (and retries later). */
    static final int MAX_APPEND_ATTEMPTS = 50;

    private final EventOutlet datasetIngested;
    private final SampleIndex sampleIndex;
    private final int maxPerPart;
    private final int maxPerDataset;

    public DatasetIngestor(ObjectStore store,
                           @Outlet(Topics.Channels.DATASET_INGESTED) EventOutlet datasetIngested,
                           SampleIndex sampleIndex,
                           @ConfigProperty(name = "pipeline.ingest.max-examples-per-part", defaultValue = "100000") int maxPerPart,
                           @ConfigProperty(name = "pipeline.ingest.max-examples-per-dataset", defaultValue = "1000000") int maxPerDataset) {
        this.store = store;
        this.maxPerPart = maxPerPart;
        this.maxPerDataset = maxPerDataset;
        this.sampleIndex = sampleIndex;
        this.datasetIngested = datasetIngested;
    }

    /** Outcome of an ingest: the version, and whether this call created it. */
    public record Result(DatasetManifest manifest, boolean created) {
    }

    /**
     * A validated pair of canonical (uncompressed) IDX files. {@code samples}: for a part of published samples, which
     * of their batch it holds; {@link #appendSamples} has written its blobs already. Empty for an uploaded split.
     * {@code sampleHashes}: the blob of those samples' hashes ({@link SampleHashes}); null for an uploaded split.
     */
    record PendingPart(Blob images, Blob labels, int count, String origin, List<Integer> samples, Blob sampleHashes) {
    }

    /** A content-addressed blob: its bytes and their SHA-256, taken once however often its part is described or written. */
    record Blob(byte[] data, String sha256) {
        static Blob of(byte[] data) {
            return new Blob(data, Sha256.hex(data));
        }

        String key() {
            return ObjectKeys.rawBlob(sha256);
        }
    }

    /** Validates and stores a complete dataset (train and test splits). */
    public Result ingest(String name, String source, RawDataset raw) {
        PendingPart train = limited(validate("train", raw.trainImages(), raw.trainLabels(), source));
        PendingPart test = limited(validate("test", raw.testImages(), raw.testLabels(), source));
        return commit(name, null, source, List.of(train), List.of(test), List.of(), List.of());
    }

    /**
     * Appends validated user samples to the newest version of {@code name}, making a new version whose parent is
     * that one. Samples already in the parent (by label and pixels) are dropped, so redelivered samples add nothing.
     * Replicas extend a name concurrently (each consumes its own partitions of {@code samples.submitted}): the name's
     * pointer to its newest version moves by compare-and-swap, and a replica that lost the swap reads the winner's
     * new parts, drops what they already hold, and extends the new newest version instead. So the versions form one
     * line, each sample once in it.
     *
     * @return empty when every sample was already there
     */
    @WaitsOutOutages
    public Optional<Result> appendSamples(String name, List<byte[]> images, byte[] labels) {
        long[] hashes = new long[images.size()];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = SampleHashes.of(images.get(i), 0, labels[i]);
        }
        // The part's blobs are content-addressed and do not depend on the parent: written before the pointer is read,
        // so that the window between reading it and swapping it holds only the manifest. With the blobs written inside
        // it, two replicas lost the swap to each other on 113 of 131 batches (samples-load, 2 replicas).
        requireDataset(name);
        PendingPart part = samplePart(images, labels, hashes, firstOfEach(hashes));
        writeBlobs(part);
        for (int attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
            ObjectStore.Versioned pointer = store.findVersioned(ObjectKeys.latestDataset(name)).orElseThrow(() -> noDataset(name));
            String parentId = new String(pointer.data(), StandardCharsets.UTF_8).trim();
            DatasetManifest parent = store.getJson(ObjectKeys.datasetManifest(parentId), DatasetManifest.class);
            List<Integer> kept = sampleIndex.unknown(name, parent, hashes, this::sampleHashes);
            if (kept.isEmpty()) {
                return Optional.empty();
            }
            if (!kept.equals(part.samples())) { // some are in the parent already: a smaller part
                part = samplePart(images, labels, hashes, kept);
                writeBlobs(part);
            }
            Optional<Result> result = extend(name, parent, pointer.etag(), part);
            if (result.isPresent()) {
                List<Part> parts = result.get().manifest().train();
                sampleIndex.stored(name, parts.get(parts.size() - 1), kept.stream().map(i -> hashes[i]).toList()); // the new part, already hashed
                return result;
            }
            LOG.infof("Another replica extended '%s' past %s meanwhile (attempt %d); extending its version instead", name, parentId, attempt);
        }
        throw new StorageException("could not extend '" + name + "' after " + MAX_APPEND_ATTEMPTS + " attempts: other replicas kept moving it");
    }

    private void requireDataset(String name) {
        if (!store.exists(ObjectKeys.latestDataset(name))) {
            throw noDataset(name);
        }
    }

    private static InvalidDataException noDataset(String name) {
        return new InvalidDataException("no dataset named '" + name + "' to extend; ingest a base dataset first (POST /datasets)");
    }

    /** The index of each distinct hash's first occurrence, in order (a batch may repeat a sample). */
    private static List<Integer> firstOfEach(long[] hashes) {
        Set<Long> seen = new HashSet<>();
        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < hashes.length; i++) {
            if (seen.add(hashes[i])) {
                first.add(i);
            }
        }
        return first;
    }

    private void writeBlobs(PendingPart part) {
        writeBlob(part.images());
        writeBlob(part.labels());
        writeBlob(part.sampleHashes());
    }

    /** The samples at {@code kept} (indexes into the batch) as one part: IDX images and labels, and their hashes. */
    private static PendingPart samplePart(List<byte[]> images, byte[] labels, long[] hashes, List<Integer> kept) {
        byte[] pixels = new byte[kept.size() * Idx.PIXELS];
        byte[] keptLabels = new byte[kept.size()];
        for (int i = 0; i < keptLabels.length; i++) {
            System.arraycopy(images.get(kept.get(i)), 0, pixels, i * Idx.PIXELS, Idx.PIXELS);
            keptLabels[i] = labels[kept.get(i)];
        }
        return new PendingPart(Blob.of(Idx.writeImages(keptLabels.length, pixels)), Blob.of(Idx.writeLabels(keptLabels)),
                keptLabels.length, DatasetManifest.SAMPLES, List.copyOf(kept), Blob.of(SampleHashes.blob(hashes, kept)));
    }

    /**
     * The hashes of the samples in one stored sample part: from its hashes blob, or, for a part stored without one,
     * from its images and labels.
     */
    private List<Long> sampleHashes(Part part) {
        if (part.hashesKey() != null) {
            return SampleHashes.read(store.getVerified(part.hashesKey(), part.hashesSha256()), part.count(), part.hashesKey());
        }
        byte[] px = Idx.readImages(store.getVerified(part.imagesKey(), part.imagesSha256()), part.imagesKey()).pixels();
        return SampleHashes.of(px, Idx.readLabels(store.getVerified(part.labelsKey(), part.labelsSha256()), part.labelsKey()));
    }

    public Optional<DatasetManifest> find(String datasetId) {
        return store.findJson(ObjectKeys.datasetManifest(datasetId), DatasetManifest.class);
    }

    public List<DatasetManifest> list() {
        return store.list("raw/datasets/").stream()
                .map(key -> store.getJson(key, DatasetManifest.class)).toList();
    }

    /**
     * Refuses a part beyond {@code pipeline.ingest.max-examples-per-part}: a small valid file can declare many
     * blank images, and every service that reads the dataset pays for them on every delivery.
     */
    private PendingPart limited(PendingPart part) {
        if (part.count() > maxPerPart) {
            throw new InvalidDataException("a split of " + part.count() + " examples is more than "
                    + "pipeline.ingest.max-examples-per-part (" + maxPerPart + ")");
        }
        return part;
    }

    private PendingPart validate(String split, byte[] images, byte[] labels, String origin) {
        if (images == null || labels == null) {
            throw new InvalidDataException(split + ": both the images file and the labels file are required");
        }
        // The per-part limit is checked on the header, before a small gzip stream inflates to many blank images.
        Idx.Images decoded = Idx.readImages(images, split + "-images", maxPerPart, "pipeline.ingest.max-examples-per-part");
        byte[] decodedLabels = Idx.readLabels(labels, split + "-labels", maxPerPart, "pipeline.ingest.max-examples-per-part");
        Idx.requireSameCount(decoded, decodedLabels, split);
        return new PendingPart(Blob.of(Idx.writeImages(decoded.count(), decoded.pixels())), Blob.of(Idx.writeLabels(decodedLabels)),
                decoded.count(), origin, List.of(), null);
    }

    // One writer at a time: two concurrent ingests of the same data must not both create the version.
    private synchronized Result commit(String name, String parentId, String source, List<PendingPart> newTrain,
                                      List<PendingPart> newTest, List<Part> inheritedTrain, List<Part> inheritedTest) {
        Document<DatasetManifest> manifest = store(name, parentId, source, newTrain, newTest, inheritedTrain, inheritedTest);
        // Also when an earlier delivery stored the version but died before moving the pointer: otherwise later
        // batches would branch from the parent and this version's samples would drop out of every later one.
        Optional<String> latest = store.findText(ObjectKeys.latestDataset(name));
        String datasetId = manifest.value().datasetId();
        if (!latest.equals(Optional.of(datasetId)) && (manifest.created() || latest.isEmpty() || latest.get().equals(parentId))) {
            store.putText(ObjectKeys.latestDataset(name), datasetId);
        }
        return announce(manifest);
    }

    /**
     * The parent with one more sample part, made the name's newest version if the pointer still has {@code etag}
     * (an earlier delivery that stored this version and died before moving the pointer is finished here too); empty
     * when another replica moved it first.
     */
    private synchronized Optional<Result> extend(String name, DatasetManifest parent, String etag, PendingPart part) {
        Document<DatasetManifest> manifest = store(name, parent.datasetId(), DatasetManifest.SAMPLES, List.of(part), List.of(),
                parent.train(), parent.test());
        String datasetId = manifest.value().datasetId();
        if (!store.putIfUnchanged(ObjectKeys.latestDataset(name), datasetId.getBytes(StandardCharsets.UTF_8), "text/plain", etag)
                && !store.findText(ObjectKeys.latestDataset(name)).map(String::trim).equals(Optional.of(datasetId))) {
            if (manifest.created()) {
                // Never in the line and never announced: left, it would be listed as a version of the name.
                store.remove(ObjectKeys.datasetManifest(datasetId));
            }
            return Optional.empty();
        }
        return Optional.of(announce(manifest));
    }

    private Document<DatasetManifest> store(String name, String parentId, String source, List<PendingPart> newTrain,
                                            List<PendingPart> newTest, List<Part> inheritedTrain, List<Part> inheritedTest) {
        List<Part> train = Stream.concat(inheritedTrain.stream(), newTrain.stream().map(this::describe)).toList();
        List<Part> test = Stream.concat(inheritedTest.stream(), newTest.stream().map(this::describe)).toList();
        int examples = Stream.concat(train.stream(), test.stream()).mapToInt(Part::count).sum();
        if (examples > maxPerDataset) {
            throw new InvalidDataException("dataset '" + name + "' would hold " + examples + " examples, more than "
                    + "pipeline.ingest.max-examples-per-dataset (" + maxPerDataset + ")");
        }
        String datasetId = Sha256.shortId("ds", "train:" + hashes(train) + "|test:" + hashes(test));
        Document<DatasetManifest> manifest = store.findOrPutDocument(ObjectKeys.datasetManifest(datasetId), DatasetManifest.class, () -> {
            for (PendingPart p : Stream.concat(newTrain.stream(), newTest.stream()).filter(p -> p.samples().isEmpty()).toList()) {
                writeBlob(p.images());
                writeBlob(p.labels());
            }
            return new DatasetManifest(datasetId, name, parentId, source, train, test,
                    train.stream().mapToInt(Part::count).sum(), test.stream().mapToInt(Part::count).sum(), Instant.now());
        });
        if (manifest.created()) {
            LOG.infof("Stored dataset %s '%s': %d train, %d test examples", datasetId, name, manifest.value().trainCount(), manifest.value().testCount());
        } else {
            LOG.infof("Dataset %s already stored; no new version", datasetId);
        }
        return manifest;
    }

    /** A no-op unless an earlier attempt stored the version but crashed before publishing. */
    private Result announce(Document<DatasetManifest> manifest) {
        datasetIngested.publishOnce(manifest.value().announcement(manifest.stored()));
        return new Result(manifest.value(), manifest.created());
    }

    private Part describe(PendingPart p) {
        Blob hashes = p.sampleHashes();
        return new Part(p.images().key(), p.images().sha256(), p.labels().key(), p.labels().sha256(), p.count(), p.origin(),
                hashes == null ? null : hashes.key(), hashes == null ? null : hashes.sha256());
    }

    private void writeBlob(Blob blob) {
        if (!store.exists(blob.key())) {
            store.put(blob.key(), blob.data(), "application/octet-stream");
        }
    }

    private static String hashes(List<Part> parts) {
        return parts.stream().map(p -> p.imagesSha256() + "+" + p.labelsSha256()).collect(Collectors.joining(","));
    }
}
