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
        var truncated = assertThrows(InvalidDataException.class, () -> Idx.readImages(java.util.Arrays.copyOf(file, file.length - 1), "x"));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        var trailing = assertThrows(InvalidDataException.class, () -> Idx.readImages(java.util.Arrays.copyOf(file, file.length + 1), "x"));
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
}
