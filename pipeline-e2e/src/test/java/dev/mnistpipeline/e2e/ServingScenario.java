package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.MnistImage;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.InferenceResult;
import dev.mnistpipeline.common.events.ModelPromoted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.messaging.Topics;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After the first evaluation: the report's extra scores, the registry and its champion, predictions over REST and
 * Kafka with their limits, and the Prometheus metrics. Runs inside {@link EndToEndScenario} on its stack.
 */
final class ServingScenario {
    /** Upload limit the scenario sets on the evaluator, small enough to test without a huge body. */
    static final int MAX_UPLOAD_BYTES = 200_000;
    static final int PREDICTIONS = 60;

    private ServingScenario() {
    }

    static void run(ServiceStack stack, Infrastructure infra, EventStream events, EvaluationCompleted evaluation,
                    byte[] testImages, byte[] testLabels) throws Exception {
        String evaluator = stack.url("evaluator-service");

        // Report: top confused pairs match the matrix, log loss and calibration are present and consistent, and
        // every misclassified example has a 28x28 PNG thumbnail.
        EvaluationReport report = Json.read(Http.get(evaluator + "/evaluations/" + evaluation.evaluationId()).requireSuccess("report").body(), EvaluationReport.class);
        assertTrue(!report.topConfusedPairs().isEmpty());
        for (EvaluationReport.ConfusedPair pair : report.topConfusedPairs()) {
            assertEquals(report.confusionMatrix()[pair.label()][pair.predicted()], pair.count(), pair.toString());
        }
        assertTrue(report.logLoss() > 0 && report.logLoss() < 2, "log loss " + report.logLoss());
        assertEquals(report.testCount(), report.calibration().bins().stream().mapToInt(EvaluationReport.Calibration.Bin::count).sum());
        assertTrue(report.calibration().expectedCalibrationError() >= 0 && report.calibration().expectedCalibrationError() < 0.2);
        assertTrue(report.misclassified().size() > 0);
        // The gallery is one strip in storage; the API cuts each image out of it: the first ones and the last one.
        List<EvaluationReport.Misclassified> gallery = report.misclassified();
        List<EvaluationReport.Misclassified> shown = new ArrayList<>(gallery.subList(0, Math.min(5, gallery.size())));
        shown.add(gallery.get(gallery.size() - 1));
        for (EvaluationReport.Misclassified m : shown) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(evaluator + "/evaluations/" + report.evaluationId() + "/gallery/" + m.index() + ".png")).build();
            byte[] png = Http.sendBytes(get);
            BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(28, thumbnail.getWidth());
            assertEquals(28, thumbnail.getHeight());
            for (int p = 0; p < Idx.PIXELS; p++) {
                assertEquals(testImages[m.index() * Idx.PIXELS + p] & 0xff, thumbnail.getRaster().getSample(p % 28, p / 28, 0), 1,
                        "thumbnail " + m.index() + " shows that test image (pixel " + p + ")");
            }
            assertEquals(testLabels[m.index()], m.label());
        }

        // Registry: the first model passed the floor and became the champion; model.promoted says so.
        ModelPromoted promoted = Json.read(events.await(Topics.MODEL_PROMOTED, e -> true, Duration.ofMinutes(2)).value(), ModelPromoted.class);
        assertEquals(evaluation.modelId(), promoted.modelId());
        assertNull(promoted.previousModelId());
        JsonNode champion = Json.tree(Http.get(evaluator + "/models/champion").requireSuccess("champion").body());
        assertEquals(evaluation.modelId(), champion.path("manifest").path("modelId").asText());
        assertTrue(champion.path("champion").asBoolean());
        assertEquals(evaluation.accuracy(), champion.path("evaluation").path("accuracy").asDouble(), 1e-12);
        assertTrue(champion.path("decision").path("promoted").asBoolean());
        assertEquals("cnn", champion.path("manifest").path("hyperparameters").path("architecture").asText());
        assertTrue(champion.path("manifest").path("codeVersion").asText().startsWith("0."), champion.toString());
        JsonNode models = Json.tree(Http.get(evaluator + "/models").requireSuccess("models").body());
        assertEquals(1, models.path("models").size());
        assertEquals("promoted", models.path("models").get(0).path("decision").asText());
        assertEquals(404, Http.get(evaluator + "/models/model-no-such-run").status(), "a well-formed id that names nothing");
        assertEquals(400, Http.get(evaluator + "/models/no-such-model").status(), "an id of the wrong shape");

        // REST predictions: raw 784 bytes and the same digits as large light-background PNGs agree with the labels.
        Map<Integer, Integer> rawLabels = new HashMap<>();
        int rawRight = 0, pngRight = 0;
        for (int i = 0; i < PREDICTIONS; i++) {
            byte[] pixels = Arrays.copyOfRange(testImages, i * Idx.PIXELS, (i + 1) * Idx.PIXELS);
            JsonNode raw = Json.tree(predict(evaluator, pixels, "application/octet-stream").requireSuccess("predict raw").body());
            assertEquals(3, raw.path("top").size());
            assertTrue(raw.path("top").get(0).path("probability").asDouble() >= raw.path("top").get(1).path("probability").asDouble());
            assertEquals(evaluation.modelId(), raw.path("modelId").asText());
            rawLabels.put(i, raw.path("top").get(0).path("label").asInt());
            rawRight += rawLabels.get(i) == testLabels[i] ? 1 : 0;
            JsonNode png = Json.tree(predict(evaluator, asPhoto(pixels), "image/png").requireSuccess("predict png").body());
            pngRight += png.path("top").get(0).path("label").asInt() == testLabels[i] ? 1 : 0;
        }
        assertTrue(rawRight >= PREDICTIONS * 0.85, rawRight + "/" + PREDICTIONS + " raw predictions right");
        // Serving one image at a time through the Translator agrees with the evaluator's batch scoring: the report
        // lists the first misclassified test images in order, so up to the last one listed every answer is known.
        int lastListed = report.misclassified().get(report.misclassified().size() - 1).index();
        for (int i = 0; i < PREDICTIONS && i <= lastListed; i++) {
            int index = i;
            int expected = report.misclassified().stream().filter(m -> m.index() == index).findFirst()
                    .map(EvaluationReport.Misclassified::predicted).orElse((int) testLabels[i]);
            assertEquals(expected, rawLabels.get(i), "test image " + i + ": REST and batch evaluation disagree");
        }
        assertTrue(pngRight >= PREDICTIONS * 0.75, pngRight + "/" + PREDICTIONS + " photo-like PNG predictions right");

        // Limits and bad input answer 4xx with a reason.
        Http.Reply tooLarge = predict(evaluator, new byte[MAX_UPLOAD_BYTES + 1], "application/octet-stream");
        assertEquals(413, tooLarge.status(), tooLarge.body());
        assertTrue(tooLarge.body().contains("limit is " + MAX_UPLOAD_BYTES), tooLarge.body());
        Http.Reply tooWide = predict(evaluator, MnistImage.png(new BufferedImage(5000, 8, BufferedImage.TYPE_BYTE_GRAY)), "image/png");
        assertEquals(400, tooWide.status(), tooWide.body());
        assertTrue(tooWide.body().contains("5000x8, larger than"), tooWide.body());
        Http.Reply junk = predict(evaluator, "not an image at all".getBytes(), "image/png");
        assertEquals(400, junk.status(), junk.body());
        assertTrue(junk.body().contains("not a PNG or JPEG"), junk.body());

        // Kafka predictions: inference.requests → inference.results by requestId, same answers as REST; a bad
        // request gets an error result and is dead-lettered; a redelivered request gets no second result.
        for (int i = 0; i < 5; i++) {
            String pixels = Base64.getEncoder().encodeToString(Arrays.copyOfRange(testImages, i * Idx.PIXELS, (i + 1) * Idx.PIXELS));
            EndToEndScenario.resend(infra.kafka(), new EventStream.Event(Topics.INFERENCE_REQUESTS, "req-" + i,
                    Json.write(Map.of("schemaVersion", 1, "requestId", "req-" + i, "pixels", pixels)), Map.of()));
        }
        EndToEndScenario.resend(infra.kafka(), new EventStream.Event(Topics.INFERENCE_REQUESTS, "req-bad",
                Json.write(Map.of("schemaVersion", 1, "requestId", "req-bad", "pixels", "AAAA")), Map.of()));
        for (int i = 0; i < 5; i++) {
            String id = "req-" + i;
            InferenceResult result = Json.read(events.await(Topics.INFERENCE_RESULTS, e -> id.equals(e.key()), Duration.ofMinutes(2)).value(), InferenceResult.class);
            assertNull(result.error());
            assertEquals(rawLabels.get(i), result.top().get(0).label(), id);
            assertEquals(evaluation.modelId(), result.modelId());
        }
        InferenceResult bad = Json.read(events.await(Topics.INFERENCE_RESULTS, e -> "req-bad".equals(e.key()), Duration.ofMinutes(2)).value(), InferenceResult.class);
        assertTrue(bad.error().contains("784 bytes"), bad.error());
        assertEquals(InferenceResult.Codes.INVALID_REQUEST, bad.code());
        EventStream.Event dead = events.await(Topics.deadLetter(Topics.INFERENCE_REQUESTS), e -> "req-bad".equals(e.key()), Duration.ofMinutes(2));
        assertTrue(dead.headers().get("dead-letter-reason").contains("784 bytes"), dead.headers().toString());
        events.acceptDeadLetters();
        EventStream.Event first = events.all(Topics.INFERENCE_REQUESTS).get(0);
        EndToEndScenario.resend(infra.kafka(), first);
        EndToEndScenario.awaitConsumed(infra, "evaluator-service", Topics.INFERENCE_REQUESTS, 7);
        Thread.sleep(500);
        assertEquals(1, events.all(Topics.INFERENCE_RESULTS).stream().filter(e -> e.key().equals(first.key())).count(),
                "a redelivered request is answered once");

        // Prometheus metrics: training curves by run, evaluation accuracy by model, prediction latency.
        String trainerMetrics = Http.get(stack.url("trainer-service") + "/q/metrics").requireSuccess("trainer metrics").body();
        String runId = evaluation.modelId().substring("model-".length());
        for (String series : new String[]{"pipeline_training_loss", "pipeline_training_accuracy", "pipeline_training_images_per_second", "pipeline_training_validation_accuracy"}) {
            assertNotNull(value(trainerMetrics, series + "{run=\"" + runId + "\"}"), series + " in\n" + trainerMetrics);
        }
        String evaluatorMetrics = Http.get(evaluator + "/q/metrics").requireSuccess("evaluator metrics").body();
        assertEquals(evaluation.accuracy(), value(evaluatorMetrics, "pipeline_evaluation_accuracy{model=\"" + evaluation.modelId() + "\"}"), 1e-9);
        assertTrue(evaluatorMetrics.contains("pipeline_prediction_seconds_count{model=\"" + evaluation.modelId() + "\"}"));

        // Every pipeline metric the Grafana dashboard under deploy/ queries is one the services really expose.
        String grafana = Files.readString(Path.of("..", "deploy", "base", "monitoring", "mnist-pipeline-dashboard.json"));
        Matcher queried = Pattern.compile("pipeline_[a-z_]+").matcher(grafana);
        int checked = 0;
        while (queried.find()) {
            String metric = queried.group();
            Pattern sample = Pattern.compile("\n" + metric + "[{ ]"); // tagged or not
            assertTrue(sample.matcher(trainerMetrics).find() || sample.matcher(evaluatorMetrics).find(),
                    "the Grafana dashboard queries " + metric + ", which no service exposes");
            checked++;
        }
        assertTrue(checked >= 8, "dashboard pipeline metrics checked: " + checked);
    }

    static Http.Reply predict(String evaluator, byte[] body, String contentType) {
        return Http.send(HttpRequest.newBuilder(URI.create(evaluator + "/predict")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofMinutes(1)).build());
    }

    /** An MNIST digit as a user would photograph it: 10x larger, dark ink on light paper, off-centre. */
    static byte[] asPhoto(byte[] pixels) {
        BufferedImage small = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < Idx.PIXELS; p++) {
            small.getRaster().setSample(p % 28, p / 28, 0, 255 - (pixels[p] & 0xff));
        }
        BufferedImage photo = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = photo.createGraphics();
        g.setColor(new Color(235, 235, 230));
        g.fillRect(0, 0, 400, 300);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(small, 40, 10, 280, 280, null);
        g.dispose();
        return MnistImage.png(photo);
    }

    /** The value of one Prometheus sample line, or null if absent. */
    static Double value(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return null;
    }
}
