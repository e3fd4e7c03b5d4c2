package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.util.Arrays;

/**
 * Turns an arbitrary picture of a digit into a 28x28 MNIST-style image the way the MNIST authors prepared theirs:
 * grayscale, ink bright on dark (inverted if the background is light), cropped to the digit, fitted into a 20x20
 * box keeping its aspect ratio, and centred by centre of mass in the 28x28 frame.
 */
public final class MnistImage {
    private static final int BOX = 20;

    static {
        // Our images are small and in memory: ImageIO's default cache puts every stream through a temporary file.
        ImageIO.setUseCache(false);
    }

    private MnistImage() {
    }

    /**
     * The most pixels an image may have (width times height), checked from its header before anything is decoded.
     * A small PNG can declare millions of 16-bit RGBA pixels; this bounds what one request can make us inflate.
     */
    public static final long MAX_PIXELS = 2048L * 2048L;
    /** Decoded images are subsampled to at most this many pixels a side: the digit ends up 20x20 anyway. */
    static final int DECODE_SIDE = 512;
    /** At most this many decodes run at once, whatever the number of requests; the rest wait their turn. */
    private static final Semaphore DECODES = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

    /**
     * Decodes PNG/JPEG bytes and prepares them the MNIST way. The header is read first, so an image larger than
     * {@code maxSide} pixels per side or {@link #MAX_PIXELS} in all is rejected before its pixels are decompressed;
     * a large one is decoded subsampled, so memory stays bounded whatever its size and depth.
     */
    public static byte[] fromEncoded(byte[] encoded, int maxSide) {
        DECODES.acquireUninterruptibly();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidDataException("not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w > maxSide || h > maxSide) {
                    throw new InvalidDataException("image is " + w + "x" + h + ", larger than " + maxSide + " pixels per side");
                }
                if ((long) w * h > MAX_PIXELS) {
                    throw new InvalidDataException("image is " + w + "x" + h + ", more than " + MAX_PIXELS + " pixels");
                }
                ImageReadParam param = reader.getDefaultReadParam();
                int step = Math.max(1, (Math.max(w, h) + DECODE_SIDE - 1) / DECODE_SIDE);
                param.setSourceSubsampling(step, step, 0, 0);
                return fromImage(reader.read(0, param));
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new InvalidDataException("cannot decode image: " + e.getMessage(), e);
        } finally {
            DECODES.release();
        }
    }

    /** A 28x28 grayscale PNG of MNIST pixels (0 = background), as stored in evaluation galleries. */
    public static byte[] toPng(byte[] pixels, int offset) {
        BufferedImage image = new BufferedImage(Idx.COLS, Idx.ROWS, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, Idx.COLS, Idx.ROWS, Arrays.copyOfRange(pixels, offset, offset + Idx.PIXELS));
        return png(image);
    }

    /** PNG bytes of any image. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] fromImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] gray = new int[w * h];
        long sum = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                int a = argb >>> 24;
                int lum = (int) Math.round(0.299 * ((argb >> 16) & 0xff) + 0.587 * ((argb >> 8) & 0xff) + 0.114 * (argb & 0xff));
                lum = (lum * a + 255 * (255 - a)) / 255; // transparent pixels count as white paper
                gray[y * w + x] = lum;
                sum += lum;
            }
        }
        boolean lightBackground = sum / (double) gray.length > 127;
        int minX = w, minY = h, maxX = -1, maxY = -1;
        for (int i = 0; i < gray.length; i++) {
            int ink = lightBackground ? 255 - gray[i] : gray[i];
            gray[i] = ink;
            if (ink > 30) {
                int x = i % w, y = i / w;
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
            }
        }
        if (maxX < 0) {
            throw new InvalidDataException("the image contains no digit (blank)");
        }
        int cw = maxX - minX + 1, ch = maxY - minY + 1;
        BufferedImage crop = new BufferedImage(cw, ch, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int v = gray[(minY + y) * w + minX + x];
                crop.getRaster().setSample(x, y, 0, v);
            }
        }
        double scale = BOX / (double) Math.max(cw, ch);
        int sw = Math.max(1, (int) Math.round(cw * scale)), sh = Math.max(1, (int) Math.round(ch * scale));
        BufferedImage fitted = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = fitted.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(crop, 0, 0, sw, sh, null);
        g.dispose();
        double mass = 0, cx = 0, cy = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int v = fitted.getRaster().getSample(x, y, 0);
                mass += v;
                cx += x * v;
                cy += y * v;
            }
        }
        int offX = (int) Math.round(Idx.COLS / 2.0 - (mass > 0 ? cx / mass : sw / 2.0) - 0.5);
        int offY = (int) Math.round(Idx.ROWS / 2.0 - (mass > 0 ? cy / mass : sh / 2.0) - 0.5);
        byte[] out = new byte[Idx.PIXELS];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int tx = x + offX, ty = y + offY;
                if (tx >= 0 && tx < Idx.COLS && ty >= 0 && ty < Idx.ROWS) {
                    out[ty * Idx.COLS + tx] = (byte) fitted.getRaster().getSample(x, y, 0);
                }
            }
        }
        return out;
    }
}
