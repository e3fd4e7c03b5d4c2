package dev.mnistpipeline.common.registry;

import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;

/**
 * Registered models, as MLflow has them: every model version belongs to one name, and each name has its own
 * champion, history, gate thresholds and gate suites, so MNIST and Fashion-MNIST each serve their own champion.
 */
public final class RegisteredModels {
    /** The name serving uses when a request names none. */
    public static final String DEFAULT = "mnist";
    /** The alias the promotion gate moves; the default version of every name. */
    public static final String CHAMPION = "champion";

    private RegisteredModels() {
    }

    /** The registered model a version belongs to: the name its training request gave, else its dataset's name. */
    public static String nameOf(ModelManifest model, ObjectStore store) {
        if (model.registeredModel() != null) {
            return model.registeredModel();
        }
        return store.findJson(ObjectKeys.datasetManifest(model.datasetId()), DatasetManifest.class)
                .map(DatasetManifest::name).orElse(DEFAULT);
    }

    /** A requested name, or the default for none. */
    public static String orDefault(String name) {
        return name == null || name.isBlank() ? DEFAULT : name;
    }
}
