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
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.registry.SavedModelFiles;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A stored model version loaded in this process the way the evaluator loads it (DJL, engine "TensorFlow", the
 * SavedModel's serving signature): the in-process reference serving figures are measured against, and the scorer of
 * benchmarks that compare models on images outside their datasets.
 */
public final class InProcessModel implements AutoCloseable {
    private final String modelId;
    private final Path dir;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;

    private InProcessModel(String modelId, Path dir, ZooModel<NDList, NDList> model) {
        this.modelId = modelId;
        this.dir = dir;
        this.model = model;
        this.predictor = model.newPredictor();
    }

    public static InProcessModel load(ObjectStore store, String modelId) {
        TensorFlowRuntime.engine();
        ModelManifest manifest = store.getJson(ObjectKeys.modelManifest(modelId), ModelManifest.class);
        Path dir = SavedModelFiles.download(store, manifest);
        try {
            return new InProcessModel(modelId, dir, Criteria.builder().setTypes(NDList.class, NDList.class)
                    .optModelPath(dir).optEngine("TensorFlow").build().loadModel());
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            LocalFiles.deleteTree(dir);
            throw new IllegalStateException("cannot load " + modelId + ": " + e.getMessage(), e);
        }
    }

    /** Class probabilities of images {@code [from, from + count)} (784 bytes each, 0 = background), in one call. */
    public float[] probabilities(byte[] images, int from, int count) {
        float[] pixels = new float[count * Idx.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (images[from * Idx.PIXELS + i] & 0xff) / 255f;
        }
        try (NDManager batch = model.getNDManager().newSubManager()) {
            return predictor.predict(new NDList(batch.create(pixels, new Shape(count, Idx.ROWS, Idx.COLS, 1))))
                    .singletonOrThrow().toFloatArray();
        } catch (TranslateException e) {
            throw new IllegalStateException("cannot score with " + modelId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        LocalFiles.deleteTree(dir);
    }
}
