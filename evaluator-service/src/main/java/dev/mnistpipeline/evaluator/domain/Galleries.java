package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.MnistImage;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.EvaluationReport.Misclassified;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * An evaluation's misclassified sample as one PNG strip, 28 pixels high with a 28x28 tile per image in the report's
 * order: one object to write instead of one per image (50 small writes took 0.3-0.4 s of every evaluation), and one
 * picture of every error to open in an object browser. The API serves one image at a time, cut from the strip.
 */
@ApplicationScoped
public class Galleries {
    private final ObjectStore store;

    public Galleries(ObjectStore store) {
        this.store = store;
    }

    /** Stores the strip of {@code wrong}, whose pixels come from the test split they index; nothing when empty. */
    public void store(String evaluationId, PreparedSplit test, List<Misclassified> wrong) {
        if (wrong.isEmpty()) {
            return;
        }
        BufferedImage strip = new BufferedImage(Idx.COLS * wrong.size(), Idx.ROWS, BufferedImage.TYPE_BYTE_GRAY);
        for (int k = 0; k < wrong.size(); k++) {
            strip.getRaster().setDataElements(k * Idx.COLS, 0, Idx.COLS, Idx.ROWS, test.pixelBytes(wrong.get(k).index()));
        }
        store.put(ObjectKeys.gallery(evaluationId), MnistImage.png(strip), "image/png");
    }

    /**
     * Misclassified test image {@code index} of an evaluation as a 28x28 PNG: its tile of the strip, or its own
     * object for a report stored before strips. Empty when the evaluation's gallery has no such image.
     */
    public Optional<byte[]> image(String evaluationId, int index) {
        List<Misclassified> gallery = store.findJson(ObjectKeys.evaluationReport(evaluationId), EvaluationReport.class)
                .map(EvaluationReport::misclassified).orElse(List.of());
        for (int position = 0; position < gallery.size(); position++) {
            if (gallery.get(position).index() == index) {
                int tile = position;
                return store.find(ObjectKeys.gallery(evaluationId)).map(strip -> tile(strip, tile))
                        .or(() -> store.find(ObjectKeys.galleryImage(evaluationId, index)));
            }
        }
        return Optional.empty();
    }

    private static byte[] tile(byte[] strip, int position) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(strip));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (image == null || image.getHeight() != Idx.ROWS || (position + 1) * Idx.COLS > image.getWidth()) {
            throw new IllegalStateException("the gallery strip has no tile " + position);
        }
        byte[] pixels = new byte[Idx.PIXELS];
        image.getRaster().getDataElements(position * Idx.COLS, 0, Idx.COLS, Idx.ROWS, pixels);
        return MnistImage.toPng(pixels, 0);
    }
}
