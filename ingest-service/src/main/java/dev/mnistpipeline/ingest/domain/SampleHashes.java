package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.errors.InvalidDataException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A published sample's identity: 64 bits of the SHA-256 of its label and pixels. A part of published samples is
 * stored with a blob of its samples' hashes (8 bytes each, big-endian, in the part's order), so that a replica that
 * did not write the part learns what it holds from 8 bytes a sample instead of reading and hashing its images.
 */
final class SampleHashes {
    private SampleHashes() {
    }

    /** A false match among a million samples has odds of about 1e-8. */
    static long of(byte[] pixels, int offset, byte label) {
        var md = Sha256.digest();
        md.update(label);
        md.update(pixels, offset, Idx.PIXELS);
        return ByteBuffer.wrap(md.digest()).getLong();
    }

    /** The hashes blob of the samples at {@code kept} (indexes into {@code hashes}). */
    static byte[] blob(long[] hashes, List<Integer> kept) {
        ByteBuffer blob = ByteBuffer.allocate(kept.size() * Long.BYTES);
        kept.forEach(i -> blob.putLong(hashes[i]));
        return blob.array();
    }

    /** The hashes in a part's blob, which must hold exactly {@code count} of them. */
    static List<Long> read(byte[] blob, int count, String key) {
        if (blob.length != count * Long.BYTES) {
            throw new InvalidDataException(key + ": " + blob.length + " bytes of sample hashes for a part of " + count + " samples");
        }
        ByteBuffer in = ByteBuffer.wrap(blob);
        List<Long> hashes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            hashes.add(in.getLong());
        }
        return hashes;
    }

    /** The hashes of the samples in a part's images and labels (a part stored without its hashes blob). */
    static List<Long> of(byte[] pixels, byte[] labels) {
        List<Long> hashes = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            hashes.add(of(pixels, i * Idx.PIXELS, labels[i]));
        }
        return hashes;
    }
}
