package dev.mnistpipeline.common.manifest;

import dev.mnistpipeline.common.drift.InputProfile;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.StoredObject;

import java.time.Instant;
import java.util.List;

/**
 * A model version: its SavedModel files with checksums, lineage, hyperparameters and training history.
 *
 * @param baseModelId model version the weights started from (transfer learning); null when trained from scratch
 * @param classes     size of the class head (10 for MNIST digits)
 * @param weights     the model's variables as NumPy .npz, for transfer learning; null for models from before it
 * @param codeVersion version of the trainer that produced it
 * @param inputName  serving signature input: float32 [batch,28,28,1], pixels in [0,1]
 * @param outputName serving signature output: float32 [batch,10] class probabilities
 * @param accuracyChecks test accuracy at fixed step intervals, when the run asked for them
 *                       ({@code accuracyCheckEverySteps}); empty otherwise
 * @param registeredModel the registered model this version belongs to (its dataset's name unless the training
 *                        request named one); null in manifests from before names, see {@code RegisteredModels.nameOf}
 * @param inputProfile    its training images' statistics, the reference of drift monitoring; null for models from before it
 */
public record ModelManifest(String modelId, String runId, String datasetId, String preparedId,
                            String baseModelId, String codeVersion, Hyperparameters hyperparameters, String runtime, String signatureKey, String inputName,
                            String outputName, int classes, List<StoredObject> files, StoredObject weights,
                            List<EpochSummary> history,
                            double validationAccuracy, double trainSeconds, double imagesPerSecond,
                            List<AccuracyCheck> accuracyChecks, Instant createdAt, String registeredModel,
                            InputProfile inputProfile) implements Versioned {

    /** The event that announces this model version, this manifest stored as {@code stored}. */
    public ModelTrained announcement(StoredObject stored) {
        return new ModelTrained(modelId, runId, preparedId, datasetId, hyperparameters, savedModelPrefix(),
                stored.key(), stored.sha256(), validationAccuracy, trainSeconds, imagesPerSecond, createdAt);
    }

    /**
     * The folder holding this version's SavedModel: {@code models/<id>/attempts/<lease token>/saved_model/}, or
     * {@code models/<id>/saved_model/} for versions written before attempts had folders of their own.
     */
    public String savedModelPrefix() {
        String marker = "saved_model/";
        return files.stream().map(StoredObject::key).filter(k -> k.contains(marker)).findFirst()
                .map(k -> k.substring(0, k.indexOf(marker) + marker.length()))
                .orElse(ObjectKeys.savedModelPrefix(modelId));
    }

    /**
     * The test accuracy of the weights after {@code step} optimizer steps; {@code trainSeconds} is the run's training
     * time until then, without the time spent on checks.
     */
    public record AccuracyCheck(long step, int epoch, double trainSeconds, double testAccuracy) {
    }

    public record EpochSummary(int epoch, double loss, double accuracy, double validationAccuracy, double seconds) {
    }
}
