package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.time.Duration;
import java.util.Arrays;

class IdxTest {

    private static byte[] pixels(int count) {
        byte[] px = new byte[count * Idx.PIXELS];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        return px;
    }

    @Test
    void roundTripsImagesAndLabels() {
        byte[] px = pixels(3);
        Idx.Images images = Idx.readImages(Idx.writeImages(3, px), "img");
        assertEquals(3, images.count());
        assertArrayEquals(px, images.pixels());
        assertArrayEquals(new byte[]{0, 9, 5}, Idx.readLabels(Idx.writeLabels(new byte[]{0, 9, 5}), "lbl"));
    }

    @Test
    void readsGzippedFiles() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(Idx.writeImages(2, pixels(2)));
        }
        assertEquals(2, Idx.readImages(bytes.toByteArray(), "img.gz").count());
    }

    @Test
    void rejectsWrongMagicNumber() {
        var e = assertThrows(InvalidDataException.class, () -> Idx.readImages(Idx.writeLabels(new byte[20]), "x"));
        assertTrue(e.getMessage().contains("magic number 0x00000801"), e.getMessage());
    }

    @Test
    void rejectsTruncatedAndTrailingData() {
        byte[] file = Idx.writeImages(2, pixels(2));
        var truncated = assertThrows(InvalidDataException.class, () -> Idx.readImages(Arrays.copyOf(file, file.length - 1), "x"));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        var trailing = assertThrows(InvalidDataException.class, () -> Idx.readImages(Arrays.copyOf(file, file.length + 1), "x"));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
    }

    @Test
    void rejectsOtherImageSizes() {
        byte[] file = ByteBuffer.allocate(16 + 2 * 32 * 32).putInt(Idx.IMAGES_MAGIC).putInt(2).putInt(32).putInt(32).array();
        var e = assertThrows(InvalidDataException.class, () -> Idx.readImages(file, "x"));
        assertTrue(e.getMessage().contains("32x32"), e.getMessage());
    }

    @Test
    void rejectsLabelsOutsideZeroToNine() {
        var e = assertThrows(InvalidDataException.class, () -> Idx.readLabels(Idx.writeLabels(new byte[]{3, 10}), "x"));
        assertTrue(e.getMessage().contains("label 10 at index 1"), e.getMessage());
    }

    @Test
    void rejectsCorruptGzip() {
        byte[] notReallyGzip = {0x1f, (byte) 0x8b, 1, 2, 3};
        assertThrows(InvalidDataException.class, () -> Idx.readLabels(notReallyGzip, "x"));
    }

    @Test
    void rejectsMismatchedCounts() {
        Idx.Images images = Idx.readImages(Idx.writeImages(2, pixels(2)), "img");
        assertThrows(InvalidDataException.class, () -> Idx.requireSameCount(images, new byte[]{1, 2, 3}, "train"));
    }

    /** A few MB of gzip that inflates to 4 GiB: a header, then 64 concatenated members of 64 MiB of zeros each. */
    private static byte[] bomb(byte[] header) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(header);
        }
        ByteArrayOutputStream zeros = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zeros)) {
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(chunk);
            }
        }
        for (int i = 0; i < 64; i++) {
            out.write(zeros.toByteArray());
        }
        return out.toByteArray();
    }

    @Test
    void aDecompressionBombIsRefusedAfterItsHeaderWithoutInflatingIt() throws Exception {
        ByteBuffer tenImages = ByteBuffer.allocate(16).putInt(Idx.IMAGES_MAGIC).putInt(10).putInt(28).putInt(28);
        byte[] bomb = bomb(tenImages.array());
        assertTrue(bomb.length < 8 << 20, "compressed: " + bomb.length);
        var trailing = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(InvalidDataException.class, () -> Idx.readImages(bomb, "bomb.gz")));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());

        ByteBuffer tooMany = ByteBuffer.allocate(8).putInt(Idx.LABELS_MAGIC).putInt(Idx.MAX_EXAMPLES + 1);
        var declared = assertThrows(InvalidDataException.class, () -> Idx.readLabels(bomb(tooMany.array()), "labels.gz"));
        assertTrue(declared.getMessage().contains("more than the " + Idx.MAX_EXAMPLES), declared.getMessage());
        var inflated = assertThrows(InvalidDataException.class, () -> Idx.gunzipIfNeeded(bomb, "bomb.gz"));
        assertTrue(inflated.getMessage().contains("inflates to more than"), inflated.getMessage());

        // A service's own, lower limit is also checked on the header: 60,000 declared, 1,000 allowed.
        ByteBuffer many = ByteBuffer.allocate(16).putInt(Idx.IMAGES_MAGIC).putInt(60_000).putInt(28).putInt(28);
        var own = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(InvalidDataException.class, () -> Idx.readImages(bomb(many.array()), "train.gz", 1000, "a.setting")));
        assertTrue(own.getMessage().contains("more than the 1000") && own.getMessage().contains("(a.setting)")
                && own.getMessage().contains("nothing was inflated"), own.getMessage());
    }
}
