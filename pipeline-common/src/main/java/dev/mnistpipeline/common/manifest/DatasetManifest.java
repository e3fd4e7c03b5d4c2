package dev.mnistpipeline.common.manifest;

import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.storage.StoredObject;

import java.time.Instant;
import java.util.List;

/**
 * One immutable raw dataset version. Its parts are content-addressed IDX blobs, so a version that extends another
 * (user samples appended to MNIST) shares the parent's blobs instead of copying them.
 */
public record DatasetManifest(String datasetId, String name, String parentId, String source,
                              List<Part> train, List<Part> test, int trainCount, int testCount, Instant createdAt) implements Versioned {

    /** The origin of the parts made of samples users published on {@code samples.submitted}. */
    public static final String SAMPLES = "samples";

    /** The event that announces this version, stored as {@code stored}. */
    public DatasetIngested announcement(StoredObject stored) {
        return new DatasetIngested(datasetId, name, parentId, source, stored.key(), stored.sha256(), trainCount, testCount, createdAt);
    }

    /**
     * A pair of IDX files: images and labels of {@code count} examples.
     *
     * @param origin       where the part came from: {@code mnist}, a URL, a path, or {@code samples}
     * @param hashesKey    for a part of published samples, the blob of its samples' 64-bit content hashes, in order, so
     *                     that another ingest replica learns what the part holds without reading its images; null for
     *                     other parts, and for sample parts stored before it was written
     * @param hashesSha256 the SHA-256 of that blob, or null
     */
    public record Part(String imagesKey, String imagesSha256, String labelsKey, String labelsSha256, int count,
                       String origin, String hashesKey, String hashesSha256) {
        /** A part without a hashes blob. */
        public Part(String imagesKey, String imagesSha256, String labelsKey, String labelsSha256, int count, String origin) {
            this(imagesKey, imagesSha256, labelsKey, labelsSha256, count, origin, null, null);
        }
    }
}
