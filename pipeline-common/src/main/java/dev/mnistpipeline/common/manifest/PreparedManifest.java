package dev.mnistpipeline.common.manifest;

import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.storage.StoredObject;

import java.time.Instant;
import java.util.List;

/**
 * Normalized shards of one dataset version, with the statistics the trainer bakes into its graph.
 *
 * @param pixelMean   mean of the normalized training pixels (values in [0,1])
 * @param pixelStd    standard deviation of the normalized training pixels
 * @param classCounts training examples per class
 */
public record PreparedManifest(String preparedId, String datasetId, PrepareSettings settings,
                               double pixelMean, double pixelStd, int[] classCounts, List<Shard> shards,
                               int trainCount, int validationCount, int testCount, Instant createdAt) implements Versioned {

    /** The event that announces these shards, this manifest stored as {@code stored}. */
    public DatasetPrepared announcement(StoredObject stored) {
        return new DatasetPrepared(preparedId, datasetId, stored.key(), stored.sha256(), trainCount, validationCount,
                testCount, pixelMean, pixelStd, createdAt);
    }

    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";

    /** Shards of one split, in order. */
    public List<Shard> shards(String split) {
        return shards.stream().filter(s -> s.split().equals(split)).toList();
    }

    /**
     * @param validationFraction share of the training split held out for validation
     * @param seed               seeds the validation split
     * @param augmentation       the dataset's augmentation policy: the trainer draws fresh random transforms of every
     *                           training batch with it (a request may set its own)
     */
    public record PrepareSettings(double validationFraction, long seed, int shardSize, Augmentation augmentation) {
    }

    /** {@code count} examples: float32 images [count,28,28] in [0,1] and uint8 labels [count]. */
    public record Shard(String split, int index, int count, String imagesKey, String imagesSha256, String labelsKey,
                        String labelsSha256) {
    }
}
