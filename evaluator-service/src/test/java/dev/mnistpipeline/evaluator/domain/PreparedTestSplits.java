package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Npy;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Prepared datasets with only a test split, stored for real, for the tests of test splits. */
public final class PreparedTestSplits {
    private PreparedTestSplits() {
    }

    /** {@code count} images whose pixels all equal {@code value}, labels 0, 1, ... 9, 0, ...; the manifest stored if asked. */
    public static PreparedManifest store(ObjectStore store, String preparedId, int count, float value, boolean storeManifest) {
        float[] images = new float[count * Idx.PIXELS];
        Arrays.fill(images, value);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        StoredObject x = store.put(imagesKey(preparedId), Npy.writeFloats(images, count, Idx.PIXELS), "application/octet-stream");
        StoredObject y = store.put(labelsKey(preparedId), Npy.writeBytes(labels, count), "application/octet-stream");
        PreparedManifest manifest = new PreparedManifest(preparedId, "ds-" + preparedId, null, value, 0, new int[10],
                List.of(new PreparedManifest.Shard(PreparedManifest.TEST, 0, count, x.key(), x.sha256(), y.key(), y.sha256())),
                0, 0, count, Instant.now());
        if (storeManifest) {
            store.putJson(ObjectKeys.preparedManifest(preparedId), manifest);
        }
        return manifest;
    }

    /** Removes the split's objects: what is read after this must come from memory. */
    public static void removeShards(ObjectStore store, String preparedId) {
        store.remove(imagesKey(preparedId));
        store.remove(labelsKey(preparedId));
    }

    private static String imagesKey(String preparedId) {
        return "prepared/" + preparedId + "/test-0-images.npy";
    }

    private static String labelsKey(String preparedId) {
        return "prepared/" + preparedId + "/test-0-labels.npy";
    }
}
