package dev.mnistpipeline.bench.support;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.registry.SavedModelFiles;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Any stored model version's accuracy on any images, the way the evaluator scores (DJL, engine "TensorFlow", the
 * SavedModel's serving signature), for benchmarks that compare models on images outside their datasets.
 */
public final class ModelAccuracy {
    private static final int BATCH = 256;

    private ModelAccuracy() {
    }

    /** @param images 784 bytes per image, 0 = background; @param labels one per image */
    public static double of(ObjectStore store, String modelId, byte[] images, byte[] labels) {
        TensorFlowRuntime.engine();
        ModelManifest manifest = store.getJson(ObjectKeys.modelManifest(modelId), ModelManifest.class);
        Path dir = SavedModelFiles.download(store, manifest);
        try (ZooModel<NDList, NDList> model = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(dir).optEngine("TensorFlow").build().loadModel();
             Predictor<NDList, NDList> predictor = model.newPredictor()) {
            int correct = 0;
            for (int from = 0; from < labels.length; from += BATCH) {
                int size = Math.min(BATCH, labels.length - from);
                float[] pixels = new float[size * Idx.PIXELS];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (images[from * Idx.PIXELS + i] & 0xff) / 255f;
                }
                try (NDManager batch = model.getNDManager().newSubManager()) {
                    float[] p = predictor.predict(new NDList(batch.create(pixels, new Shape(size, Idx.ROWS, Idx.COLS, 1))))
                            .singletonOrThrow().toFloatArray();
                    correct += Probabilities.correct(p, p.length / size, labels, from, size);
                }
            }
            return correct / (double) labels.length;
        } catch (IOException | ModelNotFoundException | MalformedModelException | TranslateException e) {
            throw new IllegalStateException("cannot score " + modelId + ": " + e.getMessage(), e);
        } finally {
            LocalFiles.deleteTree(dir);
        }
    }
}
