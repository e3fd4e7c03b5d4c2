package dev.mnistpipeline.common.events;

import java.time.Instant;

/**
 * A new raw dataset version is stored. {@code manifestKey} points at its {@code DatasetManifest}.
 *
 * @param datasetId content address of the version ({@code ds-} + hash of its parts)
 * @param parentId  the version this one extends (user samples appended to a base), or null
 */
public record DatasetIngested(String datasetId, String name, String parentId, String source,
                              String manifestKey, String manifestSha256, int trainCount, int testCount,
                              Instant createdAt) implements PipelineEvent {
    @Override
    public String key() {
        return datasetId;
    }

    @Override
    public String type() {
        return EventTypes.DATASET_INGESTED;
    }

    @Override
    public void checkIds() {
        Ids.datasetId(datasetId);
        Ids.datasetName(name);
        if (parentId != null) {
            Ids.datasetId(parentId);
        }
    }
}
