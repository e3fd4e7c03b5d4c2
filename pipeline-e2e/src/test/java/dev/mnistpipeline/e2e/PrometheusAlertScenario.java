package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.e2e.deploy.AlertRulesTest;
import dev.mnistpipeline.stack.Ports;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.stack.client.Http;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The alert rules of {@code deploy/} in a real Prometheus (Debian's package, on loopback, scraping the embedded
 * evaluator with the viewer token every second): the champion answers a full window of unshifted test digits and
 * {@code PipelineInputDrift} stays inactive; then a window of the same digits moved 5 pixels and it fires.
 */
final class PrometheusAlertScenario {
    private static final int SHIFT = 5;

    private PrometheusAlertScenario() {
    }

    static void run(ServiceStack stack, byte[] testImages, Path workDir) throws Exception {
        assumeTrue(AlertRulesTest.promtoolAvailable() && Files.isExecutable(Path.of("/usr/bin/prometheus")),
                "prometheus is not installed (Debian: apt-get install prometheus); .ci/run installs it");
        String evaluator = stack.url("evaluator-service");
        Path dir = Files.createDirectories(workDir.resolve("prometheus"));
        AlertRulesTest.rulesFile(dir);
        int port = Ports.free();
        URI target = URI.create(evaluator);
        Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                "rule_files: [rules.yaml]",
                "scrape_configs:",
                "  - job_name: evaluator",
                "    metrics_path: /q/metrics",
                "    authorization: {credentials: '" + stack.tokens().token(Roles.VIEWER) + "'}",
                "    static_configs: [{targets: ['" + target.getHost() + ":" + target.getPort() + "'], labels: {namespace: e2e}}]",
                ""));
        Process prometheus = new ProcessBuilder("/usr/bin/prometheus", "--config.file=prometheus.yml",
                "--storage.tsdb.path=data", "--web.listen-address=127.0.0.1:" + port)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String api = "http://127.0.0.1:" + port;
        try {
            await("Prometheus ready (" + dir.resolve("prometheus.log") + ")", () -> {
                try {
                    return Http.sendAnonymous(HttpRequest.newBuilder(URI.create(api + "/-/ready")).build()).status() == 200;
                } catch (IllegalStateException notYet) {
                    return false; // not listening yet
                }
            });
            String champion = Json.tree(Http.get(evaluator + "/models/champion").requireSuccess("champion").body())
                    .path("manifest").path("modelId").asText();
            JsonNode status = monitored(evaluator, champion);
            int window = status.path("windowSize").asInt();
            // what is left of the window being filled, then one whole window: the last full one is all unshifted
            int unshifted = window - status.path("filling").asInt() + window;
            predict(evaluator, testImages, 0, unshifted, 0);
            await("the unshifted window scraped", () -> {
                JsonNode last = monitored(evaluator, champion).path("last");
                return last.isObject() && !last.path("drifted").asBoolean() && scraped(api, champion) >= 0;
            });
            Thread.sleep(3_000); // a few evaluations of the rules on the scraped window
            assertEquals("inactive", alertState(api, champion), "no drift alert on unshifted digits");

            predict(evaluator, testImages, unshifted, window, SHIFT);
            JsonNode drifted = monitored(evaluator, champion).path("last");
            assertTrue(drifted.path("drifted").asBoolean(), "the evaluator saw the shift: " + drifted);
            await("PipelineInputDrift firing", () -> alertState(api, champion).equals("firing"));
            JsonNode lag = Json.tree(Http.get(api + "/api/v1/query?query=" + URLEncoder.encode(
                    "kafka_consumer_fetch_manager_records_lag_max", StandardCharsets.UTF_8)).body()).path("data").path("result");
            System.out.printf("Prometheus: PipelineInputDrift inactive -> firing for %s (largest PSI %.2f); %d consumer lag series%n",
                    champion, drifted.path("maxPsi").asDouble(), lag.size());
            assertTrue(lag.size() > 0, "the consumer-lag alert has its metric: kafka_consumer_fetch_manager_records_lag_max");
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    /** {@code count} test digits from {@code from} (wrapping), moved {@code dx} pixels right, predicted as raw pixels. */
    private static void predict(String evaluator, byte[] testImages, int from, int count, int dx) {
        int images = testImages.length / Idx.PIXELS;
        for (int i = 0; i < count; i++) {
            int index = (from + i) % images;
            byte[] pixels = new byte[Idx.PIXELS];
            for (int y = 0; y < 28; y++) {
                for (int x = dx; x < 28; x++) {
                    pixels[y * 28 + x] = testImages[index * Idx.PIXELS + y * 28 + x - dx];
                }
            }
            ServingScenario.predict(evaluator, pixels, "application/octet-stream").requireSuccess("predict");
        }
    }

    private static JsonNode monitored(String evaluator, String modelId) {
        for (JsonNode s : Json.tree(Http.get(evaluator + "/monitoring").requireSuccess("monitoring").body()).path("drift")) {
            if (s.path("modelId").asText().equals(modelId)) {
                return s;
            }
        }
        throw new AssertionError(modelId + " is not monitored yet");
    }

    /** The largest input PSI of the version as Prometheus has it; -1 before it has any. */
    private static double scraped(String api, String modelId) {
        JsonNode result = Json.tree(Http.get(api + "/api/v1/query?query=" + URLEncoder.encode(
                "max(pipeline_drift_input_psi{version=\"" + modelId + "\"})", StandardCharsets.UTF_8)).body()).path("data").path("result");
        return result.isEmpty() ? -1 : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** {@code firing}, {@code pending} or {@code inactive}: the drift alert of the version, by Prometheus's API. */
    private static String alertState(String api, String modelId) {
        for (JsonNode a : Json.tree(Http.get(api + "/api/v1/alerts").body()).path("data").path("alerts")) {
            if (a.path("labels").path("alertname").asText().equals("PipelineInputDrift")
                    && a.path("labels").path("version").asText().equals(modelId)) {
                return a.path("state").asText();
            }
        }
        return "inactive";
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 90 s");
            }
            Thread.sleep(500);
        }
    }
}
