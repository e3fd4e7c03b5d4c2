package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.EvaluationReport.ClassMetrics;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;

import java.util.ArrayList;
import java.util.List;

/** Model versions as the trainer and the evaluator store them, without the SavedModel: what the registry reads. */
final class RegistryFixtures {
    private RegistryFixtures() {
    }

    /**
     * A version's manifest and its evaluation report.
     *
     * @param registeredModel the name its training request gave; null for its dataset's name
     */
    static EvaluationReport evaluated(ObjectStore store, String modelId, double accuracy, String datasetId, String registeredModel) {
        store.putJson(ObjectKeys.modelManifest(modelId), new ModelManifest(modelId, "run-" + modelId, datasetId, "pp", null, "test",
                Hyperparameters.builder().architecture("cnn").build(), "tensorflow", "serving_default", "input", "probabilities", 10,
                List.of(), null, List.of(), accuracy, 1, 1, List.of(), null, registeredModel, null));
        List<ClassMetrics> perClass = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            perClass.add(new ClassMetrics(c, accuracy, accuracy, accuracy, 100));
        }
        EvaluationReport r = new EvaluationReport("eval-" + modelId, modelId, datasetId, "pp", 1000, accuracy, perClass,
                null, null, new int[10][10], List.of(), 0.1, null, List.of(), 0, 0, null);
        store.putJson(ObjectKeys.evaluationReport(r.evaluationId()), r);
        return r;
    }
}
