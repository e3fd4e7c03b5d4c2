package dev.mnistpipeline.stack.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.messaging.Topics;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass through the pipeline as a user drives it: ingest over REST, then follow the events
 * (dataset.ingested → dataset.prepared → training → model.trained → evaluation.completed) and fetch the report.
 */
public final class PipelineRun {
    private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration TRAIN_TIMEOUT = Duration.ofHours(3);

    /** What a run produced, with wall-clock seconds per stage. */
    public record Result(String datasetId, DatasetPrepared prepared, ModelTrained model, EvaluationCompleted evaluation,
                         EvaluationReport report, GateDecision decision, double ingestSeconds, double preprocessSeconds,
                         double trainSeconds, double evaluateSeconds) {
    }

    private PipelineRun() {
    }

    public static Result run(PipelineStack stack, EventStream events, String ingestBody, Hyperparameters hp, PrintStream out)
            throws InterruptedException {
        ProgressPrinter progress = new ProgressPrinter(out);
        events.onEvent(e -> {
            if (e.topic().equals(Topics.TRAINING_METRICS)) {
                progress.accept(Json.read(e.value(), TrainingMetrics.class));
            }
        });
        out.println("[1/4] ingest     POST /datasets " + ingestBody);
        long t0 = System.nanoTime();
        JsonNode ingested = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets", ingestBody).requireSuccess("ingest").body());
        String datasetId = ingested.get("datasetId").asText();
        double ingestSeconds = seconds(t0);
        out.printf("             dataset %s: %d train + %d test images, stored and verified (%.1f s)%n", datasetId,
                ingested.get("trainCount").asInt(), ingested.get("testCount").asInt(), ingestSeconds);

        out.println("[2/4] preprocess normalize to [0,1], statistics, seeded validation split");
        long t1 = System.nanoTime();
        DatasetPrepared prepared = Json.read(events.await(Topics.DATASET_PREPARED,
                e -> datasetId.equals(e.key()), STAGE_TIMEOUT).value(), DatasetPrepared.class);
        double preprocessSeconds = seconds(t1);
        out.printf("             prepared %s: %d train / %d validation / %d test, pixel mean %.4f std %.4f (%.1f s)%n",
                prepared.preparedId(), prepared.trainCount(), prepared.validationCount(), prepared.testCount(),
                prepared.pixelMean(), prepared.pixelStd(), preprocessSeconds);

        Map<String, Object> request = new LinkedHashMap<>();
        request.put("preparedId", prepared.preparedId());
        request.put("hyperparameters", hp);
        out.printf("[3/4] train      %s, %d epochs, batch %d, %s lr %s (%s), %s loss, activation %s, weight decay %s%s%n",
                hp.architecture(), hp.epochs(), hp.batchSize(), hp.optimizer(), hp.learningRate(), hp.schedule(), hp.loss(),
                hp.activation() == null ? "default" : hp.activation(), hp.weightDecay(),
                hp.earlyStoppingPatience() > 0 ? ", early stopping after " + hp.earlyStoppingPatience() + " epochs" : "");
        long t2 = System.nanoTime();
        String runId = Json.tree(Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(request))
                .requireSuccess("training request").body()).get("runId").asText();
        ModelTrained model = Json.read(events.await(Topics.MODEL_TRAINED, e -> runId.equals(e.key()), TRAIN_TIMEOUT).value(), ModelTrained.class);
        double trainSeconds = seconds(t2);
        progress.finish();
        out.printf("             model %s: validation accuracy %.4f, %.0f images/s (%.1f s)%n", model.modelId(),
                model.validationAccuracy(), model.imagesPerSecond(), trainSeconds);

        out.println("[4/4] evaluate   DJL (TensorFlow engine) on the test split");
        long t3 = System.nanoTime();
        EvaluationCompleted evaluation = Json.read(events.await(Topics.EVALUATION_COMPLETED,
                e -> model.modelId().equals(e.key()), STAGE_TIMEOUT).value(), EvaluationCompleted.class);
        double evaluateSeconds = seconds(t3);
        EvaluationReport report = Json.read(Http.get(stack.url("evaluator-service") + "/evaluations/" + evaluation.evaluationId())
                .requireSuccess("report").body(), EvaluationReport.class);
        EventStream.Event verdict = events.awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED),
                e -> model.modelId().equals(e.key()), STAGE_TIMEOUT);
        GateDecision decision = Json.read(Json.tree(verdict.value()).get("decision").toString(), GateDecision.class);
        out.printf("      gate       %s: %s%n", decision.promoted() ? "promoted to champion" : "rejected",
                String.join("; ", decision.reasons()));
        return new Result(datasetId, prepared, model, evaluation, report, decision, ingestSeconds, preprocessSeconds,
                trainSeconds, evaluateSeconds);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Prints training progress as a bar per epoch, at most every few percent, readable in a log too. */
    static final class ProgressPrinter {
        private final PrintStream out;
        private int lastPercent = -1;
        private int lastEpoch = 0;

        ProgressPrinter(PrintStream out) {
            this.out = out;
        }

        synchronized void accept(TrainingMetrics m) {
            switch (m.phase()) {
                case STEP -> {
                    int percent = (int) (100 * m.step() / Math.max(1, m.totalSteps()));
                    if (percent >= lastPercent + 5) {
                        lastPercent = percent;
                        int filled = percent / 5;
                        out.printf("             [%s%s] %3d%%  epoch %d/%d  step %d/%d  loss %.4f  acc %.3f  %.0f img/s%n",
                                "#".repeat(filled), ".".repeat(20 - filled), percent, m.epoch(), m.epochs(), m.step(),
                                m.totalSteps(), m.loss(), m.accuracy(), m.imagesPerSecond());
                    }
                }
                case EPOCH -> {
                    lastEpoch = m.epoch();
                    out.printf("             epoch %d/%d done: loss %.4f  train acc %.4f  validation acc %.4f  %.0f img/s%n",
                            m.epoch(), m.epochs(), m.loss(), m.accuracy(), m.validationAccuracy(), m.imagesPerSecond());
                }
                case CHECK -> out.printf("             step %d/%d: %s%n", m.step(), m.totalSteps(), m.message());
                case FAILED -> out.println("             training FAILED: " + m.message());
                default -> {
                }
            }
        }

        synchronized void finish() {
            lastPercent = 100;
        }
    }
}
