package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Npy;
import dev.mnistpipeline.common.data.Permutation;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.manifest.DatasetManifest.Part;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest.PrepareSettings;
import dev.mnistpipeline.common.manifest.PreparedManifest.Shard;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Collections;

/**
 * Prepares one raw part: checksum-verified IDX in, normalized shards out. A training part is split into train and
 * validation with a permutation seeded by the settings, so the same part always splits the same way; a test part is
 * kept whole. The part id covers the part's content and the settings that shape its shards (not the augmentation
 * policy, which the trainer applies), so the work is done once and shared by every version that contains the part.
 */
@ApplicationScoped
public class PartPreparer {
    /** What a part is in its dataset: a training part (train and validation) or a test part. */
    public enum Role {
        TRAIN, TEST
    }

    /** Prepared parts are immutable, so holding the recent ones saves a read per part per version. */
    private static final int CACHED_PARTS = 10_000;

    private final ObjectStore store;
    private final Map<String, PreparedPart> recent = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, PreparedPart> eldest) {
                    return size() > CACHED_PARTS;
                }
            });

    public PartPreparer(ObjectStore store) {
        this.store = store;
    }

    public PreparedPart prepare(Part part, Role role, PrepareSettings settings) {
        String partId = Sha256.shortId("pt", role + "|" + part.imagesSha256() + "|" + part.labelsSha256() + "|"
                + settings.validationFraction() + "|" + settings.seed() + "|" + settings.shardSize());
        PreparedPart cached = recent.get(partId);
        if (cached != null) {
            return cached;
        }
        PreparedPart prepared = store.findOrPutDocument(ObjectKeys.preparedPart(partId), PreparedPart.class,
                () -> build(partId, part, role, settings)).value();
        recent.put(partId, prepared);
        return prepared;
    }

    private PreparedPart build(String partId, Part part, Role role, PrepareSettings settings) {
        byte[] pixels = Idx.readImages(store.getVerified(part.imagesKey(), part.imagesSha256()), part.imagesKey()).pixels();
        byte[] labels = Idx.readLabels(store.getVerified(part.labelsKey(), part.labelsSha256()), part.labelsKey());
        List<Shard> shards = new ArrayList<>();
        if (role == Role.TEST) {
            writeShards(partId, PreparedManifest.TEST, Idx.toUnitRange(pixels), labels, settings.shardSize(), shards);
            return new PreparedPart(partId, part.imagesSha256(), part.labelsSha256(), shards, 0, 0, labels.length,
                    PixelMoments.NONE, new int[Idx.CLASSES]);
        }
        int n = labels.length;
        int validationCount = (int) Math.round(n * settings.validationFraction());
        int[] order = Permutation.of(n, settings.seed());
        byte[][] validation = Normalizer.gather(pixels, labels, order, 0, validationCount);
        byte[][] train = Normalizer.gather(pixels, labels, order, validationCount, n);
        float[] trainX = Idx.toUnitRange(train[0]);
        int[] classCounts = new int[Idx.CLASSES];
        for (byte label : train[1]) {
            classCounts[label]++;
        }
        writeShards(partId, PreparedManifest.TRAIN, trainX, train[1], settings.shardSize(), shards);
        writeShards(partId, PreparedManifest.VALIDATION, Idx.toUnitRange(validation[0]), validation[1], settings.shardSize(), shards);
        return new PreparedPart(partId, part.imagesSha256(), part.labelsSha256(), shards, train[1].length,
                validationCount, 0, PixelMoments.of(trainX), classCounts);
    }

    private void writeShards(String partId, String split, float[] images, byte[] labels, int shardSize, List<Shard> out) {
        for (int index = 0, from = 0; from < labels.length; index++, from += shardSize) {
            int count = Math.min(shardSize, labels.length - from);
            float[] x = new float[count * Idx.PIXELS];
            System.arraycopy(images, from * Idx.PIXELS, x, 0, x.length);
            byte[] y = new byte[count];
            System.arraycopy(labels, from, y, 0, count);
            StoredObject xs = store.put(ObjectKeys.preparedPartShard(partId, split, index, "x"),
                    Npy.writeFloats(x, count, Idx.ROWS, Idx.COLS), "application/octet-stream");
            StoredObject ys = store.put(ObjectKeys.preparedPartShard(partId, split, index, "y"),
                    Npy.writeBytes(y, count), "application/octet-stream");
            out.add(new Shard(split, index, count, xs.key(), xs.sha256(), ys.key(), ys.sha256()));
        }
    }
}
