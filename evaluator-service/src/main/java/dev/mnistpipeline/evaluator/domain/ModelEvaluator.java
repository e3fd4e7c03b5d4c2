package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore.Document;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.registry.SavedModelFiles;
import dev.mnistpipeline.evaluator.model.SavedModelScorer;
import dev.mnistpipeline.evaluator.model.ServingSession;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where a model meets the test split: downloads the SavedModel (checksums verified), scores every test image
 * through DJL, stores the report with a gallery of misclassified images (one PNG strip, {@link Galleries}),
 * announces {@code evaluation.completed}, and hands the report to the promotion gate. One evaluation per model: a
 * redelivered {@code model.trained} finds the report and decision and publishes nothing new.
 */
@ApplicationScoped
public class ModelEvaluator {
    private static final Logger LOG = Logger.getLogger(ModelEvaluator.class);

    private final ObjectStore store;
    private final EventOutlet evaluationCompleted;
    private final PromotionService gate;
    private final EvaluationGauges gauges;
    private final int misclassifiedSample;
    private final ServingSession session;
    private final RunHistory runs;
    private final TestSplits testSplits;
    private final Galleries galleries;

    public ModelEvaluator(ObjectStore store,
                          @Outlet(Topics.Channels.EVALUATION_COMPLETED) EventOutlet evaluationCompleted,
                          PromotionService gate,
                          EvaluationGauges gauges,
                          @ConfigProperty(name = "pipeline.evaluator.misclassified-sample", defaultValue = "50") int misclassifiedSample,
                          ServingSession session, RunHistory runs, TestSplits testSplits, Galleries galleries) {
        this.store = store;
        this.galleries = galleries;
        this.testSplits = testSplits;
        this.runs = runs;
        this.evaluationCompleted = evaluationCompleted;
        this.gate = gate;
        this.gauges = gauges;
        this.misclassifiedSample = misclassifiedSample;
        this.session = session;
    }

    static final int TOP_CONFUSED_PAIRS = 10;
    /** Storage reads and writes of one evaluation that need not wait for each other. */
    private static final ExecutorService IO = Executors.newFixedThreadPool(8, runnable -> {
        Thread t = new Thread(runnable, "evaluation-io");
        t.setDaemon(true);
        return t;
    });
    static final int CALIBRATION_BINS = 15;

    /**
     * Scores the model (once), then lets the registry's gate decide whether it becomes the champion; a sweep's trial
     * waits for its sweep's end ({@link SweepGate}).
     */
    public EvaluationReport evaluate(ModelTrained event) {
        String evaluationId = ObjectKeys.evaluationId(event.modelId());
        Document<EvaluationReport> report = store.findOrPutDocument(ObjectKeys.evaluationReport(evaluationId),
                EvaluationReport.class, () -> score(event, evaluationId));
        gauges.record(report.value());
        evaluationCompleted.publishOnce(report.value().announcement(report.stored()));
        runs.evaluated(event.runId(), report.value());
        if (store.exists(ObjectKeys.sweepOfRun(event.runId()))) {
            LOG.infof("%s is a sweep trial: gated with its sweep's best, once the sweep ends", event.modelId());
        } else {
            gate.decide(report.value());
        }
        return report.value();
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
        if (!ObjectKeys.modelManifest(event.modelId()).equals(event.manifestKey())) {
            // The event names the object to read: only the manifest of its own model, never any other key.
            throw new InvalidDataException("manifestKey must be " + ObjectKeys.modelManifest(event.modelId()));
        }
        ModelManifest model = Json.read(store.getVerified(event.manifestKey(), event.manifestSha256()), ModelManifest.class);
        PreparedManifest prepared = store.getJson(ObjectKeys.preparedManifest(model.preparedId()), PreparedManifest.class);
        // Fetching and loading the SavedModel (a TF session, warmed up) and reading the test split do not depend on
        // each other: they run side by side. The split is usually read already, ahead while the run trained.
        CompletableFuture<Path> files = CompletableFuture.supplyAsync(() -> SavedModelFiles.download(store, model), IO);
        CompletableFuture<SavedModelScorer> loading = files.thenApplyAsync(this::warmScorer, IO);
        PreparedSplit test;
        SavedModelScorer scorer;
        try {
            test = testSplits.get(prepared);
            scorer = join(loading);
        } catch (RuntimeException e) {
            loading.thenAccept(SavedModelScorer::close);
            files.thenAccept(LocalFiles::deleteTree);
            throw e;
        }
        long loaded = System.nanoTime();
        float[] probabilities;
        try (scorer) {
            probabilities = scorer.probabilities(test.images(), test.count());
        } finally {
            LocalFiles.deleteTree(files.join());
        }
        long scored = System.nanoTime();
        double inferenceSeconds = (scored - loaded) / 1e9;
        int classes = model.classes() > 0 ? model.classes() : Idx.CLASSES;
        TestPredictions predictions = TestPredictions.of(test, probabilities, classes, misclassifiedSample);
        int[] labels = predictions.labels();
        List<EvaluationReport.Misclassified> wrong = predictions.misclassified();
        galleries.store(evaluationId, test, wrong);
        long galleryStored = System.nanoTime();
        ClassificationMetrics metrics = new ClassificationMetrics(classes, labels, predictions.predicted());
        EvaluationReport report = new EvaluationReport(evaluationId, model.modelId(),
                model.datasetId(), model.preparedId(), test.count(), metrics.accuracy(), metrics.perClass(),
                metrics.macro(), metrics.weighted(), metrics.confusionMatrix(), metrics.topConfusedPairs(TOP_CONFUSED_PAIRS),
                ProbabilityMetrics.logLoss(probabilities, labels, classes),
                ProbabilityMetrics.calibration(probabilities, labels, classes, CALIBRATION_BINS),
                wrong, inferenceSeconds, (System.nanoTime() - start) / 1e9, Instant.now());
        LOG.infof("Evaluated %s on %d test images: accuracy %.4f, macro F1 %.4f, log loss %.4f, ECE %.4f (DJL scoring %.2f s;"
                        + " reading the test split while fetching and loading the model %.2f s, gallery strip %.2f s, metrics %.2f s)",
                model.modelId(), test.count(), report.accuracy(), report.macro().f1(), report.logLoss(),
                report.calibration().expectedCalibrationError(), inferenceSeconds, (loaded - start) / 1e9,
                (galleryStored - scored) / 1e9, (System.nanoTime() - galleryStored) / 1e9);
        return report;
    }

    private SavedModelScorer warmScorer(Path dir) {
        SavedModelScorer scorer = new SavedModelScorer(dir, session);
        try {
            scorer.warmUp();
            return scorer;
        } catch (RuntimeException e) {
            scorer.close();
            throw e;
        }
    }

    /** The result of {@code future}, its failure thrown as itself (an outage stays an outage). */
    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
