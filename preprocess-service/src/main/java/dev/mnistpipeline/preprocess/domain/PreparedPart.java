package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.manifest.PreparedManifest.Shard;

import java.util.List;

/**
 * One raw part (a content-addressed pair of IDX blobs) prepared once: its shards, split into train and validation
 * (a training part) or kept whole (a test part), with the moments and class counts of its training examples. Every
 * dataset version that contains the part reuses it, so the parent's validation split never moves.
 *
 * @param shards the part's shards per split, {@code index} counting within the part
 */
public record PreparedPart(String partId, String imagesSha256, String labelsSha256, List<Shard> shards,
                           int trainCount, int validationCount, int testCount, PixelMoments trainPixels,
                           int[] classCounts) implements Versioned {

    public List<Shard> shards(String split) {
        return shards.stream().filter(s -> s.split().equals(split)).toList();
    }
}
