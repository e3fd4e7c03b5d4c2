package dev.mnistpipeline.common.datasets;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Npy;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectStore;

import java.util.List;

/**
 * One split of a prepared dataset in memory: normalized pixels [count*784] and labels [count].
 * Every shard is checked against the checksum its manifest recorded.
 */
public record PreparedSplit(String split, int count, float[] images, byte[] labels) {

    public static PreparedSplit load(ObjectStore store, PreparedManifest manifest, String split) {
        List<PreparedManifest.Shard> shards = manifest.shards(split);
        int count = shards.stream().mapToInt(PreparedManifest.Shard::count).sum();
        float[] images = new float[count * Idx.PIXELS];
        byte[] labels = new byte[count];
        int offset = 0;
        for (PreparedManifest.Shard shard : shards) {
            float[] x = Npy.read(store.getVerified(shard.imagesKey(), shard.imagesSha256())).floats();
            byte[] y = Npy.read(store.getVerified(shard.labelsKey(), shard.labelsSha256())).bytes();
            if (x.length != shard.count() * Idx.PIXELS || y.length != shard.count()) {
                throw new InvalidDataException("Shard " + shard.imagesKey() + " does not hold " + shard.count() + " examples");
            }
            System.arraycopy(x, 0, images, offset * Idx.PIXELS, x.length);
            System.arraycopy(y, 0, labels, offset, y.length);
            offset += shard.count();
        }
        return new PreparedSplit(split, count, images, labels);
    }

    /** Image {@code index} back as 0-255 pixels, for thumbnails. */
    public byte[] pixelBytes(int index) {
        byte[] out = new byte[Idx.PIXELS];
        for (int p = 0; p < Idx.PIXELS; p++) {
            out[p] = (byte) Math.round(Math.max(0f, Math.min(1f, images[index * Idx.PIXELS + p])) * 255f);
        }
        return out;
    }
}
