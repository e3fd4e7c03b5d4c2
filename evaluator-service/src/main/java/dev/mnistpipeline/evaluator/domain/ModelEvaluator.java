package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.data.PreparedSplit;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StoredObject;
import dev.mnistpipeline.evaluator.model.SavedModelScorer;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a model meets the test split: downloads the SavedModel (checksums verified), scores every test image
 * through DJL, stores the report and announces {@code evaluation.completed}. One evaluation per model: a
 * redelivered {@code model.trained} finds the report and publishes nothing new.
 */
@ApplicationScoped
public class ModelEvaluator {
    private static final Logger LOG = Logger.getLogger(ModelEvaluator.class);

    @Inject
    ObjectStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    @Channel(Topics.Channels.EVALUATION_COMPLETED)
    MutinyEmitter<String> evaluationCompleted;

    @ConfigProperty(name = "pipeline.evaluator.misclassified-sample", defaultValue = "50")
    int misclassifiedSample;

    public static String evaluationId(String modelId) {
        return "eval-" + modelId;
    }

    public EvaluationReport evaluate(ModelTrained event) {
        String evaluationId = evaluationId(event.modelId());
        EvaluationReport report = find(evaluationId).orElseGet(() -> score(event, evaluationId));
        publish(report);
        return report;
    }

    public Optional<EvaluationReport> find(String evaluationId) {
        return store.findJson(ObjectKeys.evaluationReport(evaluationId), EvaluationReport.class);
    }

    public List<String> list() {
        return store.list(ObjectKeys.EVALUATIONS_PREFIX).stream()
                .map(k -> k.substring(ObjectKeys.EVALUATIONS_PREFIX.length(), k.indexOf('/', ObjectKeys.EVALUATIONS_PREFIX.length())))
                .distinct().toList();
    }

    private EvaluationReport score(ModelTrained event, String evaluationId) {
        long start = System.nanoTime();
        ModelManifest model = Json.read(store.getVerified(event.manifestKey(), event.manifestSha256()), ModelManifest.class);
        PreparedManifest prepared = store.getJson(ObjectKeys.preparedManifest(model.preparedId()), PreparedManifest.class);
        PreparedSplit test = PreparedSplit.load(store, prepared, PreparedManifest.TEST);
        Path dir = download(model);
        float[] probabilities;
        long scoreStart;
        try (SavedModelScorer scorer = new SavedModelScorer(dir)) {
            scoreStart = System.nanoTime();
            probabilities = scorer.probabilities(test.images(), test.count());
        } finally {
            LocalFiles.deleteTree(dir);
        }
        double scoreSeconds = (System.nanoTime() - scoreStart) / 1e9;
        int[] labels = new int[test.count()];
        int[] predicted = new int[test.count()];
        List<EvaluationReport.Misclassified> wrong = new ArrayList<>();
        for (int i = 0; i < test.count(); i++) {
            labels[i] = test.labels()[i];
            int best = 0;
            for (int c = 1; c < Idx.CLASSES; c++) {
                if (probabilities[i * Idx.CLASSES + c] > probabilities[i * Idx.CLASSES + best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            if (best != labels[i] && wrong.size() < misclassifiedSample) {
                wrong.add(new EvaluationReport.Misclassified(i, labels[i], best, probabilities[i * Idx.CLASSES + best]));
            }
        }
        ClassificationMetrics metrics = new ClassificationMetrics(Idx.CLASSES, labels, predicted);
        EvaluationReport report = new EvaluationReport(EventTypes.SCHEMA_VERSION, evaluationId, model.modelId(),
                model.datasetId(), model.preparedId(), test.count(), metrics.accuracy(), metrics.perClass(),
                metrics.macro(), metrics.weighted(), metrics.confusionMatrix(), wrong,
                (System.nanoTime() - start) / 1e9, Instant.now());
        store.putJson(ObjectKeys.evaluationReport(evaluationId), report);
        LOG.infof("Evaluated %s on %d test images: accuracy %.4f, macro F1 %.4f (inference %.2f s)", model.modelId(),
                test.count(), report.accuracy(), report.macro().f1(), scoreSeconds);
        return report;
    }

    private Path download(ModelManifest model) {
        try {
            Path dir = Files.createTempDirectory("eval-model-");
            String prefix = ObjectKeys.savedModelPrefix(model.modelId());
            for (StoredObject file : model.files()) {
                Path target = dir.resolve(file.key().substring(prefix.length()));
                Files.createDirectories(target.getParent());
                Files.write(target, store.getVerified(file.key(), file.sha256()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void publish(EvaluationReport r) {
        String key = ObjectKeys.evaluationReport(r.evaluationId());
        publisher.publishOnce(evaluationCompleted, new EvaluationCompleted(EventTypes.SCHEMA_VERSION, r.evaluationId(),
                r.modelId(), r.datasetId(), r.preparedId(), key, Sha256.hex(store.get(key)), r.testCount(), r.accuracy(),
                r.macro().precision(), r.macro().recall(), r.macro().f1(), r.seconds(), r.createdAt()));
    }
}
