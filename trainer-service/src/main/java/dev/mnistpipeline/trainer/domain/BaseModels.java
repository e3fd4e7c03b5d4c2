package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Npz;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.trainer.model.Layers;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Transfer learning's starting point: a stored model version's weights, checked against the run that wants them.
 * A base model of another architecture, or one stored without weights, is a clear error, not a silent fresh start.
 */
@ApplicationScoped
public class BaseModels {
    private final ObjectStore store;

    public BaseModels(ObjectStore store) {
        this.store = store;
    }

    /**
     * The weights to start from: those {@code transfer} selects; with {@code freeze=features} never the class head,
     * which is trained anew.
     */
    public Map<String, float[]> weights(Hyperparameters hp) {
        ModelManifest base = store.findJson(ObjectKeys.modelManifest(hp.baseModelId()), ModelManifest.class)
                .orElseThrow(() -> new InvalidDataException("no base model " + hp.baseModelId()));
        requireCompatible(base, hp);
        if (base.weights() == null) {
            throw new InvalidDataException("base model " + base.modelId() + " has no stored weights (trained before transfer learning existed)");
        }
        return transferred(Npz.read(store.getVerified(base.weights().key(), base.weights().sha256())), hp);
    }

    /** Refuses a base model whose layers cannot start this run: another architecture, or another cnn width. */
    static void requireCompatible(ModelManifest base, Hyperparameters hp) {
        if (!base.hyperparameters().architecture().equals(hp.architecture())) {
            throw new InvalidDataException("base model " + base.modelId() + " is a " + base.hyperparameters().architecture()
                    + "; this run trains a " + hp.architecture() + " (transfer needs the same architecture)");
        }
        if (base.hyperparameters().secondConvFiltersOrDefault() != hp.secondConvFiltersOrDefault()) {
            // Every transfer takes the convolutions, so their shapes must agree.
            throw new InvalidDataException("base model " + base.modelId() + " has " + base.hyperparameters().secondConvFiltersOrDefault()
                    + " filters in its second convolution; this run has " + hp.secondConvFiltersOrDefault()
                    + " (set secondConvFilters to " + base.hyperparameters().secondConvFiltersOrDefault() + ")");
        }
    }

    /** The subset of a base model's variables that {@code transfer} (and {@code freeze}) start a run from. */
    public static Map<String, float[]> transferred(Map<String, float[]> weights, Hyperparameters hp) {
        Predicate<String> keep = switch (hp.transfer()) {
            case CONVOLUTIONS -> name -> name.startsWith(Layers.CONVOLUTION_PREFIX);
            case FEATURES -> name -> !name.startsWith(Layers.HEAD_PREFIX);
            case ALL -> name -> hp.freeze() != Hyperparameters.Freeze.FEATURES || !name.startsWith(Layers.HEAD_PREFIX);
        };
        return weights.entrySet().stream().filter(e -> keep.test(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** Classes a prepared dataset's labels use: one past the highest label present. */
    public static int classes(int[] classCounts) {
        int classes = 0;
        for (int c = 0; c < classCounts.length; c++) {
            if (classCounts[c] > 0) {
                classes = c + 1;
            }
        }
        return Math.max(classes, 2);
    }
}
