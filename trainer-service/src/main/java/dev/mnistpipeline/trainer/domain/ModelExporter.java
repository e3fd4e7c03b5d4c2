package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.data.Npz;
import dev.mnistpipeline.common.drift.InputProfile;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import dev.mnistpipeline.trainer.model.Architectures;
import dev.mnistpipeline.trainer.model.ModelState;
import dev.mnistpipeline.trainer.model.ServingGraph;
import dev.mnistpipeline.trainer.model.TrainingGraph;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A trained run becomes a model version: the serving graph (batch norm from moving averages, no dropout, no
 * optimizer) with the trained variables copied in by name, exported as a SavedModel, uploaded with its weights
 * (the start of later transfer learning), and described by a manifest.
 */
@ApplicationScoped
public class ModelExporter {
    private final ObjectStore store;
    private final TrainerDevice device;
    private final String codeVersion;

    /** What a finished run hands over: its settings, data, class count, trained variables and history. */
    public record TrainedRun(AcceptedRun run, Hyperparameters hyperparameters, PreparedManifest prepared, int classes,
                             Map<String, float[]> weights, RunProgress progress, double trainSeconds, InputProfile inputProfile) {
    }

    public ModelExporter(ObjectStore store, TrainerDevice device,
                         @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String codeVersion) {
        this.store = store;
        this.device = device;
        this.codeVersion = codeVersion;
    }

    /**
     * Uploads the SavedModel and weights under {@code attempt} (the lease token: a former owner paused past its
     * lease writes into a folder of its own); returns the manifest describing them (the caller stores it, once).
     */
    public ModelManifest export(TrainedRun trained, String attempt) {
        String modelId = trained.run().modelId();
        Path dir = savedModel(trained);
        try {
            List<StoredObject> files = store.uploadDirectory(ObjectKeys.savedModelPrefix(modelId, attempt), dir);
            StoredObject weights = store.put(ObjectKeys.modelWeights(modelId, attempt), Npz.write(trained.weights()), "application/zip");
            PreparedManifest prepared = trained.prepared();
            RunProgress progress = trained.progress();
            return new ModelManifest(modelId, trained.run().runId(), prepared.datasetId(), prepared.preparedId(),
                    trained.hyperparameters().baseModelId(), codeVersion, trained.hyperparameters(), "tensorflow-2.16",
                    TrainingGraph.SIGNATURE_KEY, TrainingGraph.INPUT, TrainingGraph.OUTPUT, trained.classes(), files, weights,
                    progress.history(), progress.keptValidation(), trained.trainSeconds(),
                    progress.imagesPerSecond(prepared.trainCount()), progress.accuracyChecks(), Instant.now(),
                    trained.run().registeredModel(), trained.inputProfile());
        } finally {
            LocalFiles.deleteTree(dir);
        }
    }

    private Path savedModel(TrainedRun trained) {
        Hyperparameters hp = trained.hyperparameters();
        try (Graph graph = new Graph()) {
            ServingGraph serving = new ServingGraph(graph, Architectures.of(hp), hp,
                    trained.prepared().pixelMean(), trained.prepared().pixelStd(), trained.classes());
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph, device.sessionConfig())) {
                session.initialize();
                List<String> written = state.writeMatching(session, trained.weights());
                if (written.size() != state.names().size()) {
                    throw new IllegalStateException("serving graph has variables the training graph did not: "
                            + state.names().stream().filter(n -> !written.contains(n)).toList());
                }
                Path dir = Files.createTempDirectory("savedmodel-");
                Files.delete(dir); // the exporter creates it
                SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(serving.signature()).export();
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("SavedModel export failed", e);
            }
        }
    }
}
