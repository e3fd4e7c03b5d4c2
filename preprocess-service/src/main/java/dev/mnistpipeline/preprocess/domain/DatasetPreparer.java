package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest.PrepareSettings;
import dev.mnistpipeline.common.manifest.PreparedManifest.Shard;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore.Document;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a raw dataset becomes training-ready shards: pixels scaled to [0,1], a seeded validation split, pixel
 * statistics and class counts. Work is per raw part ({@link PartPreparer}): a child version reuses its parent's
 * prepared parts and prepares only its new samples, and the parent's validation split stays where it was. The prepared id is derived from the dataset id and the settings, so a redelivered
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
    private final PartPreparer partPreparer;
    private final EventOutlet datasetPrepared;
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
                           PartPreparer partPreparer,
                           @Outlet(Topics.Channels.DATASET_PREPARED) EventOutlet datasetPrepared,
                           @ConfigProperty(name = "pipeline.prepare.validation-fraction", defaultValue = "0.1") double validationFraction,
                           @ConfigProperty(name = "pipeline.prepare.seed", defaultValue = "42") long seed,
                           @ConfigProperty(name = "pipeline.prepare.shard-size", defaultValue = "10000") int shardSize,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.rotation-degrees", defaultValue = "0") double rotationDegrees,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.shift-pixels", defaultValue = "0") double shiftPixels,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.scale-min", defaultValue = "1") double scaleMin,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.scale-max", defaultValue = "1") double scaleMax,
                           @ConfigProperty(name = "pipeline.prepare.augmentation.elastic", defaultValue = "false") boolean elastic) {
        this.store = store;
        this.partPreparer = partPreparer;
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
        if (!ObjectKeys.datasetManifest(event.datasetId()).equals(event.manifestKey())) {
            // The event names the object to read: only the manifest of its own dataset, never any other key.
            throw new InvalidDataException("manifestKey must be " + ObjectKeys.datasetManifest(event.datasetId()));
        }
        Augmentation augmentation = new Augmentation(rotationDegrees, shiftPixels, scaleMin, scaleMax, elastic).withDefaults();
        if (!augmentation.problems().isEmpty()) {
            throw new IllegalStateException("pipeline.prepare.augmentation is misconfigured: " + String.join("; ", augmentation.problems()));
        }
        PrepareSettings settings = new PrepareSettings(validationFraction, seed, shardSize, augmentation);
        String preparedId = Sha256.shortId("pp", event.datasetId() + "|" + Json.write(settings));
        Document<PreparedManifest> manifest = store.findOrPutDocument(ObjectKeys.preparedManifest(preparedId),
                PreparedManifest.class, () -> build(event, preparedId, settings));
        advanceLatest(manifest.value());
        datasetPrepared.publishOnce(manifest.value().announcement(manifest.stored()));
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
        List<PreparedPart> parts = new ArrayList<>();
        dataset.train().forEach(part -> parts.add(partPreparer.prepare(part, PartPreparer.Role.TRAIN, settings)));
        dataset.test().forEach(part -> parts.add(partPreparer.prepare(part, PartPreparer.Role.TEST, settings)));

        PixelMoments moments = PixelMoments.NONE;
        int[] classCounts = new int[Idx.CLASSES];
        int trainCount = 0, validationCount = 0, testCount = 0;
        for (PreparedPart part : parts) {
            moments = moments.plus(part.trainPixels());
            for (int c = 0; c < classCounts.length; c++) {
                classCounts[c] += part.classCounts()[c];
            }
            trainCount += part.trainCount();
            validationCount += part.validationCount();
            testCount += part.testCount();
        }
        List<Shard> shards = new ArrayList<>();
        for (String split : List.of(PreparedManifest.TRAIN, PreparedManifest.VALIDATION, PreparedManifest.TEST)) {
            int index = 0;
            for (PreparedPart part : parts) {
                for (Shard s : part.shards(split)) {
                    shards.add(new Shard(split, index++, s.count(), s.imagesKey(), s.imagesSha256(), s.labelsKey(), s.labelsSha256()));
                }
            }
        }
        PreparedManifest manifest = new PreparedManifest(preparedId, dataset.datasetId(), settings, moments.mean(),
                moments.std(), classCounts, shards, trainCount, validationCount, testCount, Instant.now());
        LOG.infof("Prepared %s from %s (%d parts): %d train, %d validation, %d test; mean %.4f std %.4f in %.2f s",
                preparedId, dataset.datasetId(), parts.size(), trainCount, validationCount, testCount,
                manifest.pixelMean(), manifest.pixelStd(), (System.nanoTime() - start) / 1e9);
        return manifest;
    }
}
