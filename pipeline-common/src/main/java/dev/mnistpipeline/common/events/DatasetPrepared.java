package dev.mnistpipeline.common.events;

import java.time.Instant;

/** Normalized train/validation/test shards of a dataset are stored; {@code manifestKey} points at the {@code PreparedManifest}. */
public record DatasetPrepared(String preparedId, String datasetId, String manifestKey,
                              String manifestSha256, int trainCount, int validationCount, int testCount,
                              double pixelMean, double pixelStd, Instant createdAt) implements PipelineEvent {
    @Override
    public String key() {
        return datasetId;
    }

    @Override
    public String type() {
        return EventTypes.DATASET_PREPARED;
    }

    /** One dataset can be prepared with several settings: the prepared id names the event. */
    @Override
    public String eventId() {
        return type() + ":" + preparedId;
    }

    @Override
    public void checkIds() {
        Ids.preparedId(preparedId);
        Ids.datasetId(datasetId);
    }
}
