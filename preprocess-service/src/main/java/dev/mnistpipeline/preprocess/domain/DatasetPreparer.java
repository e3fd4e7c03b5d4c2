package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Npy;
import dev.mnistpipeline.common.data.Permutation;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest.PrepareSettings;
import dev.mnistpipeline.common.manifest.PreparedManifest.Shard;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore.Document;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a raw dataset becomes training-ready shards: pixels scaled to [0,1], a seeded validation split, pixel
 * statistics and class counts. The prepared id is derived from the dataset id and the settings, so a redelivered
 * {@code dataset.ingested} finds its work done and publishes nothing twice.
 *
 * <p>Augmentation is a policy recorded here, not copies written here: the trainer draws fresh random rotations,
 * shifts, scales (and optionally elastic distortions) of every batch with {@code Augmenter}, at a fraction of
 * a training step's cost, instead of this service materialising a fixed set of copies (see the README).
 */
@ApplicationScoped
public class DatasetPreparer {
    private static final Logger LOG = Logger.getLogger(DatasetPreparer.class);

    private final ObjectStore store;
    private final EventPublisher publisher;
    private final MutinyEmitter<String> datasetPrepared;
    private final double validationFraction;
    private final long seed;
    private final int shardSize;

    // The dataset's augmentation policy (recorded in the manifest; the trainer applies it per batch).
    private final double rotationDegrees;
    private final double shiftPixels;
    private final double scaleMin;
    private final double scaleMax;
    private final boolean elastic;

    public DatasetPreparer(ObjectStore store,
                           EventPublisher publisher,
                           @Channel(Topics.Channels.DATASET_PREPARED) MutinyEmitter<String> datasetPrepared,
                           @ConfigProperty(name = "pipeline.prepare.validation-fraction", defaultValue = "0.1") double validationFraction,
                           @ConfigProperty(name = "pipeline.prepare.seed", defaultValue = "42") long seed,
                           @ConfigProperty(name = "pipeline.prepare.shard-size", defaultValue = "10000") int shardSize,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.rotation-degrees", defaultValue = "0") double rotationDegrees,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.shift-pixels", defaultValue = "0") double shiftPixels,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.scale-min", defaultValue = "1") double scaleMin,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.scale-max", defaultValue = "1") double scaleMax,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.elastic", defaultValue = "false") boolean elastic) {
        this.store = store;
        this.publisher = publisher;
        this.datasetPrepared = datasetPrepared;
        this.validationFraction = validationFraction;
        this.seed = seed;
        this.shardSize = shardSize;
        this.rotationDegrees = rotationDegrees;
        this.shiftPixels = shiftPixels;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.elastic = elastic;
    }

    public PreparedManifest prepare(DatasetIngested event) {
        Augmentation augmentation = new Augmentation(rotationDegrees, shiftPixels, scaleMin, scaleMax, elastic).withDefaults();
        if (!augmentation.problems().isEmpty()) {
            throw new IllegalStateException("pipeline.prepare.augmentation is misconfigured: " + String.join("; ", augmentation.problems()));
        }
        PrepareSettings settings = new PrepareSettings(validationFraction, seed, shardSize, augmentation);
        String preparedId = Sha256.shortId("pp", event.datasetId() + "|" + Json.write(settings));
        Document<PreparedManifest> manifest = store.findOrPutDocument(ObjectKeys.preparedManifest(preparedId),
                PreparedManifest.class, () -> build(event, preparedId, settings));
        advanceLatest(manifest.value());
        publisher.publishOnce(datasetPrepared, manifest.value().announcement(manifest.stored()));
        return manifest.value();
    }

    /**
     * Points {@code prepared/latest} at this preparation unless it already names one of a newer dataset version:
     * replicas that finish out of order cannot move it back, and a redelivery repairs a pointer that a crash left
     * behind. Compare-and-swap on the pointer's ETag, so two replicas cannot both win.
     */
    private void advanceLatest(PreparedManifest prepared) {
        Instant ours = datasetCreated(prepared.datasetId());
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<ObjectStore.Versioned> current = store.findVersioned(ObjectKeys.LATEST_PREPARED);
            Optional<String> currentId = current.map(v -> new String(v.data(), StandardCharsets.UTF_8).trim());
            if (currentId.isPresent() && (currentId.get().equals(prepared.preparedId()) || store.findJson(
                    ObjectKeys.preparedManifest(currentId.get()), PreparedManifest.class)
                    .map(p -> !datasetCreated(p.datasetId()).isBefore(ours)).orElse(false))) {
                return;
            }
            if (store.putIfUnchanged(ObjectKeys.LATEST_PREPARED, prepared.preparedId().getBytes(StandardCharsets.UTF_8),
                    "text/plain", current.map(ObjectStore.Versioned::etag).orElse(null))) {
                return;
            }
        }
        LOG.warnf("prepared/latest kept changing; left it for the next preparation to advance");
    }

    private Instant datasetCreated(String datasetId) {
        return store.findJson(ObjectKeys.datasetManifest(datasetId), DatasetManifest.class)
                .map(DatasetManifest::createdAt).orElse(Instant.EPOCH);
    }

    private PreparedManifest build(DatasetIngested event, String preparedId, PrepareSettings settings) {
        long start = System.nanoTime();
        DatasetManifest dataset = Json.read(store.getVerified(event.manifestKey(), event.manifestSha256()), DatasetManifest.class);
        byte[][] train = concat(dataset.train());
        byte[][] test = concat(dataset.test());
        int n = train[1].length;
        int validationCount = (int) Math.round(n * settings.validationFraction());
        int[] order = Permutation.of(n, settings.seed());
        byte[][] validation = Normalizer.gather(train[0], train[1], order, 0, validationCount);
        byte[][] remaining = Normalizer.gather(train[0], train[1], order, validationCount, n);

        float[] trainX = Idx.toUnitRange(remaining[0]);
        double[] stats = Normalizer.meanAndStd(trainX);
        int[] classCounts = new int[Idx.CLASSES];
        for (byte label : remaining[1]) {
            classCounts[label]++;
        }
        List<Shard> shards = new ArrayList<>();
        writeShards(preparedId, PreparedManifest.TRAIN, trainX, remaining[1], shards);
        writeShards(preparedId, PreparedManifest.VALIDATION, Idx.toUnitRange(validation[0]), validation[1], shards);
        writeShards(preparedId, PreparedManifest.TEST, Idx.toUnitRange(test[0]), test[1], shards);

        PreparedManifest manifest = new PreparedManifest(preparedId, dataset.datasetId(),
                settings, stats[0], stats[1], classCounts, shards, remaining[1].length, validationCount,
                test[1].length, Instant.now());
        LOG.infof("Prepared %s from %s: %d train, %d validation, %d test; mean %.4f std %.4f in %.1f s", preparedId,
                dataset.datasetId(), manifest.trainCount(), validationCount, manifest.testCount(), stats[0], stats[1],
                (System.nanoTime() - start) / 1e9);
        return manifest;
    }

    /** All parts of a split, checksum-verified and concatenated: {pixels, labels}. */
    private byte[][] concat(List<DatasetManifest.Part> parts) {
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        for (DatasetManifest.Part part : parts) {
            pixels.writeBytes(Idx.readImages(store.getVerified(part.imagesKey(), part.imagesSha256()), part.imagesKey()).pixels());
            labels.writeBytes(Idx.readLabels(store.getVerified(part.labelsKey(), part.labelsSha256()), part.labelsKey()));
        }
        return new byte[][]{pixels.toByteArray(), labels.toByteArray()};
    }

    private void writeShards(String preparedId, String split, float[] images, byte[] labels, List<Shard> out) {
        for (int index = 0, from = 0; from < labels.length; index++, from += shardSize) {
            int count = Math.min(shardSize, labels.length - from);
            float[] x = new float[count * Idx.PIXELS];
            System.arraycopy(images, from * Idx.PIXELS, x, 0, x.length);
            byte[] y = new byte[count];
            System.arraycopy(labels, from, y, 0, count);
            StoredObject xs = store.put(ObjectKeys.preparedShard(preparedId, split, index, "x"),
                    Npy.writeFloats(x, count, Idx.ROWS, Idx.COLS), "application/octet-stream");
            StoredObject ys = store.put(ObjectKeys.preparedShard(preparedId, split, index, "y"),
                    Npy.writeBytes(y, count), "application/octet-stream");
            out.add(new Shard(split, index, count, xs.key(), xs.sha256(), ys.key(), ys.sha256()));
        }
    }
}
