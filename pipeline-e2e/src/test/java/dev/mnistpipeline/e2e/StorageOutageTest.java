package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Arrays;

/**
 * Chaos on real processes: the S3 server is killed (SIGKILL) while users publish samples and while a dataset is
 * being prepared, and restarted after {@value #OUTAGE_SECONDS} s. An outage is not bad input: readiness goes DOWN
 * and REST answers 503 while it lasts, nothing valid is dead-lettered, and afterwards every valid sample is in the
 * newest dataset version exactly once, each version is prepared once, and the dead-letter topic holds only the
 * invalid samples that were mixed in.
 */
class StorageOutageTest {
    static final int VALID = 12;
    static final int INVALID = 2;
    static final int OUTAGE_SECONDS = 20;
    static final Duration RECOVERY = Duration.ofMinutes(2);

    @Test
    void aStorageOutageLosesNothing(@TempDir Path workDir) throws Exception {
        try {
            run(workDir);
        } catch (AssertionError | RuntimeException e) {
            // The services' logs tell why; the temporary directory goes away with the test.
            Path kept = Path.of("target", "storage-outage-logs");
            dev.mnistpipeline.common.data.LocalFiles.deleteTree(kept);
            Files.createDirectories(kept);
            try (var logs = Files.list(workDir.resolve("logs"))) {
                for (Path log : logs.toList()) {
                    Files.copy(log, kept.resolve(log.getFileName()));
                }
            }
            throw e;
        }
    }

    private static void run(Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of("ingest-service",
                Map.of("PIPELINE_SAMPLES_BATCH_SIZE", "4", "PIPELINE_SAMPLES_MAX_WAIT", "2s"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env)
                     .start("ingest-service", "preprocess-service");
             EventStream events = new EventStream(infra.bootstrapServers())) {
            String ingest = stack.url("ingest-service");
            String body = Json.write(Map.of("source", EndToEndScenario.SUBSET.toString()));
            String baseId = Json.tree(Http.postJson(ingest + "/datasets", body).requireSuccess("ingest").body()).get("datasetId").asText();
            EventStream.Event baseIngested = events.await(Topics.DATASET_INGESTED, e -> baseId.equals(e.key()), RECOVERY);
            events.await(Topics.DATASET_PREPARED, e -> baseId.equals(e.key()), RECOVERY);

            infra.killS3();
            long down = System.nanoTime();
            awaitStatus(ingest + "/q/health/ready", 503, "object-storage");
            awaitStatus(stack.url("preprocess-service") + "/q/health/ready", 503, "object-storage");
            HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ingest + "/datasets"))
                    .header("Content-Type", "application/json").header("Authorization", Http.authorization())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent(), refused.headers().toString());
            assertTrue(Json.tree(refused.body()).path("error").asText().contains("temporarily unavailable"), refused.body());

            byte[] images = Idx.readImages(Files.readAllBytes(EndToEndScenario.SUBSET.resolve("t10k-images-idx3-ubyte.gz")), "test").pixels();
            byte[] labels = Idx.readLabels(Files.readAllBytes(EndToEndScenario.SUBSET.resolve("t10k-labels-idx1-ubyte.gz")), "test");
            for (int i = 0; i < VALID; i++) {
                EndToEndScenario.resend(infra.kafka(), EndToEndScenario.sample("mnist", "outage-" + i, labels[i],
                        Arrays.copyOfRange(images, i * Idx.PIXELS, (i + 1) * Idx.PIXELS)));
                if (i == VALID / 2) {
                    // A redelivered dataset.ingested reaches preprocess while storage is down.
                    EndToEndScenario.resend(infra.kafka(), baseIngested);
                }
            }
            for (int i = 0; i < INVALID; i++) {
                EndToEndScenario.resend(infra.kafka(), EndToEndScenario.sample("bad", "invalid-" + i, 12, new byte[Idx.PIXELS]));
            }
            for (int i = 0; i < INVALID; i++) {
                String key = "invalid-" + i;
                events.await(Topics.deadLetter(Topics.SAMPLES_SUBMITTED), e -> e.value().contains(key), RECOVERY);
            }
            events.acceptDeadLetters();
            Thread.sleep(Math.max(0, Duration.ofSeconds(OUTAGE_SECONDS).toMillis() - (System.nanoTime() - down) / 1_000_000));

            infra.restartS3();
            long up = System.nanoTime();
            Predicate<EventStream.Event> complete = e -> Json.tree(e.value()).path("trainCount").asInt() == 6000 + VALID;
            JsonNode newest = Json.tree(events.await(Topics.DATASET_INGESTED, complete, RECOVERY).value());
            System.out.printf("storage outage: %.1f s down; all %d samples stored %.1f s after S3 returned%n",
                    (up - down) / 1e9, VALID, (System.nanoTime() - up) / 1e9);
            events.await(Topics.DATASET_PREPARED, e -> newest.get("datasetId").asText().equals(e.key()), RECOVERY);
            awaitStatus(ingest + "/q/health/ready", 200, "UP");
            awaitStatus(stack.url("preprocess-service") + "/q/health/ready", 200, "UP");

            // Every new version adds only samples that no ancestor has, so the counts add up to the samples sent.
            List<JsonNode> versions = events.all(Topics.DATASET_INGESTED).stream().map(e -> Json.tree(e.value())).toList();
            List<JsonNode> children = versions.stream().filter(v -> v.hasNonNull("parentId")).toList();
            assertEquals(children.stream().map(v -> v.get("datasetId").asText()).distinct().count(), children.size(),
                    "each new version announced once");
            assertEquals(2, versions.size() - children.size(), "the base version: announced once, plus the redelivery we sent");
            for (JsonNode v : versions) {
                long prepared = events.all(Topics.DATASET_PREPARED).stream().filter(e -> v.get("datasetId").asText().equals(e.key())).count();
                assertTrue(prepared <= 1, v.get("datasetId") + " prepared " + prepared + " times");
            }
            List<EventStream.Event> dead = events.all(Topics.deadLetter(Topics.SAMPLES_SUBMITTED));
            assertEquals(INVALID, dead.size(), "only the invalid samples are dead-lettered: " + dead);
            assertTrue(dead.stream().allMatch(e -> e.value().contains("invalid-")), dead.toString());
            assertEquals(List.of(), events.all(Topics.deadLetter(Topics.DATASET_INGESTED)), "an outage is not bad input");
        }
    }

    /** Polls until {@code url} answers {@code status} with {@code text} in its body. */
    static void awaitStatus(String url, int status, String text) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        Http.Reply last = null;
        while (System.nanoTime() < deadline) {
            last = Http.get(url);
            if (last.status() == status && last.body().contains(text)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(url + " did not answer " + status + " with '" + text + "'; last: " + last);
    }
}
