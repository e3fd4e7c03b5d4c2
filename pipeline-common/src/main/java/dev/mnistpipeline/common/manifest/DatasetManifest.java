package dev.mnistpipeline.common.manifest;

import java.time.Instant;
import java.util.List;

/**
 * One immutable raw dataset version. Its parts are content-addressed IDX blobs, so a version that extends another
 * (user samples appended to MNIST) shares the parent's blobs instead of copying them.
 */
public record DatasetManifest(int schemaVersion, String datasetId, String name, String parentId, String source,
                              List<Part> train, List<Part> test, int trainCount, int testCount, Instant createdAt) {

    /**
     * A pair of IDX files: images and labels of {@code count} examples.
     *
     * @param origin where the part came from: {@code mnist}, a URL, a path, or {@code samples}
     */
    public record Part(String imagesKey, String imagesSha256, String labelsKey, String labelsSha256, int count,
                       String origin) {
    }
}
