package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.MnistImage;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.EvaluationReport.Misclassified;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.storage.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The misclassified gallery against a real S3 server: written as one strip, served one image at a time with exactly
 * the test image's pixels, nothing for an image outside the gallery, and reports stored before strips still served
 * from their own objects.
 */
class GalleriesTest {
    private static TestS3 s3;
    private static ObjectStore store;
    private static Galleries galleries;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
        store = s3.client("galleries");
        galleries = new Galleries(store);
    }

    @AfterAll
    static void stop() {
        store.close();
        s3.close();
    }

    /** Three test images, each pixel a different value, so that a tile shows which image it is. */
    private static PreparedSplit split() {
        float[] images = new float[3 * Idx.PIXELS];
        for (int i = 0; i < images.length; i++) {
            images[i] = ((i * 7 + i / Idx.PIXELS * 50) % 256) / 255f;
        }
        return new PreparedSplit("test", 3, images, new byte[]{1, 2, 3});
    }

    private static void report(String evaluationId, List<Misclassified> wrong) {
        store.putJson(ObjectKeys.evaluationReport(evaluationId), new EvaluationReport(evaluationId, "m", "ds", "pp", 3, 0.0,
                List.of(), null, null, new int[10][10], List.of(), 0.1, null, wrong, 0, 0, null));
    }

    private static byte[] pixels(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(Idx.COLS, image.getWidth());
        assertEquals(Idx.ROWS, image.getHeight());
        byte[] pixels = new byte[Idx.PIXELS];
        image.getRaster().getDataElements(0, 0, Idx.COLS, Idx.ROWS, pixels);
        return pixels;
    }

    @Test
    void eachImageIsCutFromTheOneStripWithItsOwnPixels() throws Exception {
        PreparedSplit test = split();
        List<Misclassified> wrong = List.of(new Misclassified(2, 3, 1, 0.9), new Misclassified(0, 1, 7, 0.6));
        report("eval-strip", wrong);
        galleries.store("eval-strip", test, wrong);

        assertEquals(1, store.list("evaluations/eval-strip/").stream().filter(k -> k.endsWith(".png")).count(),
                "one object for the whole gallery");
        assertArrayEquals(test.pixelBytes(2), pixels(galleries.image("eval-strip", 2).orElseThrow()));
        assertArrayEquals(test.pixelBytes(0), pixels(galleries.image("eval-strip", 0).orElseThrow()));
        assertTrue(galleries.image("eval-strip", 1).isEmpty(), "image 1 was predicted right: not in the gallery");
        assertTrue(galleries.image("eval-none", 0).isEmpty(), "no such evaluation");
    }

    @Test
    void aReportWithoutErrorsStoresNoStrip() {
        report("eval-perfect", List.of());
        galleries.store("eval-perfect", split(), List.of());
        assertFalse(store.exists(ObjectKeys.gallery("eval-perfect")));
        assertTrue(galleries.image("eval-perfect", 0).isEmpty());
    }

    @Test
    void aReportStoredBeforeStripsIsServedFromItsOwnImages() throws Exception {
        PreparedSplit test = split();
        report("eval-old", List.of(new Misclassified(1, 2, 5, 0.7)));
        byte[] own = MnistImage.toPng(test.pixelBytes(1), 0);
        store.put(ObjectKeys.galleryImage("eval-old", 1), own, "image/png");
        assertArrayEquals(own, galleries.image("eval-old", 1).orElseThrow());
    }
}
