package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;

import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One trace from an upload to the gate: the caller starts a W3C trace ({@code traceparent} on the upload), and every
 * event the upload leads to — ingested, prepared, the training request, the run's metrics, the model, its
 * evaluation and the gate's decision — carries that trace id in its Kafka {@code traceparent} header.
 */
final class TracingScenario {
    private TracingScenario() {
    }

    static void run(ServiceStack stack, EventStream events, byte[] testImages, byte[] testLabels) throws Exception {
        String traceId = HexFormat.of().formatHex(random(16));
        String traceparent = "00-" + traceId + "-" + HexFormat.of().formatHex(random(8)) + "-01";
        // A dataset no earlier step made (its images are rotated by one), so every event is new: 1,000 images to
        // train on (the subset's test images) and the same 1,000 to test on, enough for the gate to judge.
        byte[] pixels = new byte[testImages.length];
        for (int i = 0; i < testLabels.length; i++) {
            int offset = i * Idx.PIXELS;
            for (int p = 0; p < Idx.PIXELS; p++) {
                pixels[offset + p] = testImages[offset + (p + 1) % Idx.PIXELS];
            }
        }
        byte[] images = Idx.writeImages(testLabels.length, pixels), labels = Idx.writeLabels(testLabels);
        HttpRequest upload = EndToEndScenario.multipart(stack.url("ingest-service") + "/datasets/upload", Map.of(
                "train-images", images, "train-labels", labels, "test-images", images, "test-labels", labels,
                "name", "traced".getBytes()));
        upload = HttpRequest.newBuilder(upload, (n, v) -> true).header("traceparent", traceparent).build();
        JsonNode created = Json.tree(Http.send(upload).requireSuccess("traced upload").body());
        assertTrue(created.path("created").asBoolean(), created.toString());
        String datasetId = created.path("datasetId").asText();

        Duration wait = Duration.ofMinutes(3);
        Map<String, EventStream.Event> chain = new LinkedHashMap<>();
        chain.put(Topics.DATASET_INGESTED, events.await(Topics.DATASET_INGESTED, e -> datasetId.equals(e.field("datasetId")), wait));
        EventStream.Event prepared = events.await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.field("datasetId")), wait);
        chain.put(Topics.DATASET_PREPARED, prepared);
        String preparedId = prepared.field("preparedId");
        EventStream.Event requested = events.await(Topics.TRAINING_REQUESTED, e -> preparedId.equals(e.field("preparedId")), wait);
        chain.put(Topics.TRAINING_REQUESTED, requested);
        String runId = requested.field("runId");
        chain.put(Topics.TRAINING_METRICS + " (started)", events.await(Topics.TRAINING_METRICS,
                e -> runId.equals(e.key()) && e.field("phase").equals("started"), wait));
        EventStream.Event trained = events.await(Topics.MODEL_TRAINED, e -> runId.equals(e.field("runId")), wait);
        chain.put(Topics.MODEL_TRAINED, trained);
        String modelId = trained.field("modelId");
        chain.put(Topics.EVALUATION_COMPLETED, events.await(Topics.EVALUATION_COMPLETED, e -> modelId.equals(e.field("modelId")), wait));
        chain.put("gate decision", events.awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> modelId.equals(e.key()), wait));

        List<String> wrong = new ArrayList<>();
        chain.forEach((what, e) -> {
            String header = e.headers().get("traceparent");
            System.out.printf("trace %s: %-28s traceparent %s%n", traceId, what, header);
            if (header == null || !header.startsWith("00-" + traceId + "-")) {
                wrong.add(what + ": " + header);
            }
        });
        assertEquals(List.of(), wrong, "events of the upload's trace " + traceId + " without its trace id");
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        b[0] |= 1; // an all-zero id is invalid
        return b;
    }
}
