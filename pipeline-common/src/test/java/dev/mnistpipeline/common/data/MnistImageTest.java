package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;
import org.junit.jupiter.api.Test;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistImageTest {

    /** A dark vertical stroke ("1") drawn off-centre on a large white canvas. */
    private static byte[] drawnOne() throws Exception {
        BufferedImage img = new BufferedImage(200, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 200, 120);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(8));
        g.drawLine(40, 10, 40, 100);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void invertsCropsFitsAndCentres() throws Exception {
        byte[] px = MnistImage.fromEncoded(drawnOne(), 4096);
        assertEquals(Idx.PIXELS, px.length);
        double mass = 0, cx = 0, cy = 0;
        int minY = 28, maxY = -1;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = px[y * 28 + x] & 0xff;
                mass += v;
                cx += x * v;
                cy += y * v;
                if (v > 30) {
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        assertTrue(mass > 0, "ink became bright on dark");
        assertEquals(13.5, cx / mass, 1.0, "centred horizontally by centre of mass");
        assertEquals(13.5, cy / mass, 1.0, "centred vertically by centre of mass");
        assertEquals(20, maxY - minY + 1, 1, "the long side is fitted into 20 pixels");
        assertEquals(0, px[0], "corners stay background");
    }

    @Test
    void rejectsBlankAndNonImages() throws Exception {
        BufferedImage blank = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(blank, "png", out);
        assertThrows(InvalidDataException.class, () -> MnistImage.fromEncoded(out.toByteArray(), 4096));
        assertThrows(InvalidDataException.class, () -> MnistImage.fromEncoded(new byte[]{1, 2, 3}, 4096));
        assertThrows(InvalidDataException.class, () -> MnistImage.fromEncoded(drawnOne(), 100));
    }

    private static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A white canvas of the given size with one thick dark stroke, as a 1-bit PNG (a few KB whatever its size). */
    private static byte[] largeOne(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.fillRect(w / 2 - w / 40, h / 10, w / 20, h * 8 / 10);
        g.dispose();
        return png(img);
    }

    @Test
    void tooManyPixelsAreRefusedFromTheHeaderAndLargeImagesAreDecodedSubsampled() throws Exception {
        byte[] huge = largeOne(3000, 3000);
        var refused = assertThrows(InvalidDataException.class, () -> MnistImage.fromEncoded(huge, 4096));
        assertTrue(refused.getMessage().contains("more than " + MnistImage.MAX_PIXELS + " pixels"), refused.getMessage());

        byte[] px = MnistImage.fromEncoded(largeOne(2000, 2000), 4096);
        int ink = 0;
        for (byte p : px) {
            ink += (p & 0xff) > 128 ? 1 : 0;
        }
        assertTrue(ink >= 15, "the stroke (20 rows tall once fitted into 20x20) survives subsampling: " + ink + " bright pixels");
    }
}
