package dev.mnistpipeline.common.registry;

import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Brings a model version's SavedModel from storage to a local directory DJL can load, checking every checksum. */
public final class SavedModelFiles {
    private SavedModelFiles() {
    }

    /** A new temporary directory holding the SavedModel; the caller deletes it. */
    public static Path download(ObjectStore store, ModelManifest model) {
        try {
            Path dir = Files.createTempDirectory("model-" + model.modelId() + "-");
            String prefix = model.savedModelPrefix();
            for (StoredObject file : model.files()) {
                Path target = dir.resolve(file.key().substring(prefix.length())).normalize();
                if (!target.startsWith(dir)) {
                    throw new IllegalStateException("model file " + file.key() + " would land outside " + dir);
                }
                Files.createDirectories(target.getParent());
                Files.write(target, store.getVerified(file.key(), file.sha256()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
