package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.MnistImage;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daily loop through {@code ./pipeline} as a process against the running stack, configured only by the
 * environment a user would set (service URLs, API tokens, the admin's and the samples publisher's Kafka settings):
 * models, predict, promote and rollback (announced on {@code model.promoted}, served at once), a usage error,
 * train with --watch until the gate decides, publish of image folders until the version lands, datasets.
 */
final class CliScenario {
    private CliScenario() {
    }

    static void run(Layout layout, ServiceStack stack, Infrastructure infra, EventStream events, byte[] testImages,
                    byte[] testLabels, Path workDir) throws Exception {
        Map<String, String> env = environment(stack, infra);
        Path digit = workDir.resolve("digit.png");
        Files.write(digit, MnistImage.toPng(testImages, 0));

        JsonNode registry = Json.tree(ok(CliProcess.run(layout, env, "models", "--json")).out());
        String champion = registry.path("champion").path("modelId").asText();
        String other = null;
        for (JsonNode m : registry.path("models")) {
            if (m.path("accuracy").isNumber() && !m.path("modelId").asText().equals(champion)) {
                other = m.path("modelId").asText();
            }
        }
        assertTrue(other != null, "steps 3 and 9 leave two evaluated models: " + registry);
        assertEquals(champion, servingModel(layout, env, digit));

        JsonNode promoted = Json.tree(ok(CliProcess.run(layout, env, "promote", other, "--reason", "cli e2e", "--json")).out());
        assertEquals("promotion", promoted.path("kind").asText());
        assertEquals(champion, promoted.path("replacedModelId").asText());
        assertEquals("operator-token", promoted.path("by").asText());
        long generation = promoted.path("generation").asLong();
        String promotedModel = other;
        EventStream.Event announced = events.await(Topics.MODEL_PROMOTED, e -> promotedModel.equals(e.key())
                && Json.tree(e.value()).path("change").path("generation").asLong() == generation, Duration.ofSeconds(30));
        assertEquals("cli e2e", Json.tree(announced.value()).path("change").path("reason").asText());
        assertEquals(other, servingModel(layout, env, digit), "the promoted model serves at once");

        JsonNode back = Json.tree(ok(CliProcess.run(layout, env, "rollback", "--reason", "undo", "--json")).out());
        assertEquals(champion, back.path("modelId").asText());
        assertEquals(champion, servingModel(layout, env, digit));
        String human = ok(CliProcess.run(layout, env, "models")).out();
        assertTrue(human.contains("rollback") && human.contains("by operator-token: undo"), human);

        versionsSideBySide(layout, env, digit, stack, champion, other);
        rollouts(layout, env, digit, events, champion, other);

        CliProcess.Result noReason = CliProcess.run(layout, env, "promote", other);
        assertEquals(2, noReason.exitCode());
        assertTrue(noReason.err().contains("--reason"), noReason.err());

        // A run for a registered model of its own: judged by that name's gate, never against mnist's champion.
        CliProcess.Result trained = ok(CliProcess.run(layout, env, "train", "--epochs", "1", "--batch-size", "128",
                "--run-id", "cli-run", "--registered-model", "digits-small", "--watch", "--json", "--timeout", "4m"));
        JsonNode verdict = Json.tree(trained.lastLine());
        assertEquals("model-cli-run", verdict.path("modelId").asText(), trained.out());
        assertTrue(verdict.path("promoted").isBoolean() && verdict.path("accuracy").isNumber(), trained.out());
        assertTrue(trained.out().contains("\"phase\":\"epoch\""), "progress was streamed: " + trained.out());
        assertTrue(verdict.path("promoted").asBoolean(), "digits-small's first version is its first champion: " + trained.out());
        JsonNode small = Json.tree(ok(CliProcess.run(layout, env, "models", "--name", "digits-small", "--json")).out());
        assertEquals("model-cli-run", small.path("champion").path("modelId").asText(), small.toString());
        JsonNode p = Json.tree(ok(CliProcess.run(layout, env, "predict", digit.toString(), "--model", "digits-small", "--json")).out()).get(0);
        assertEquals("model-cli-run", p.path("modelId").asText());
        assertEquals("digits-small", p.path("model").asText());
        gatePassesIntoARollout(layout, env);
        assertEquals(champion, servingModel(layout, env, digit), "mnist's champion did not move");
        runHistory(layout, env);

        Path folder = workDir.resolve("new-samples");
        int published = 3;
        for (int i = 0; i < published; i++) {
            int index = 20 + i; // not among the samples of step 8
            Path file = folder.resolve(Integer.toString(testLabels[index])).resolve("digit-" + index + ".png");
            Files.createDirectories(file.getParent());
            Files.write(file, MnistImage.toPng(testImages, index * Idx.PIXELS));
        }
        JsonNode landed = Json.tree(ok(CliProcess.run(layout, env, "publish", folder.toString(), "--json", "--timeout", "2m")).lastLine());
        assertEquals(published, landed.path("sent").asInt());
        assertEquals(published, landed.path("landed").asInt(), landed.toString());
        String version = landed.path("latest").asText();
        JsonNode datasets = Json.tree(ok(CliProcess.run(layout, env, "datasets", "--json")).out());
        List<String> ids = new ArrayList<>();
        datasets.forEach(d -> ids.add(d.path("datasetId").asText()));
        assertTrue(ids.contains(version), ids.toString());

        // Again: the same files are the same samples, so nothing lands a second time.
        JsonNode again = Json.tree(ok(CliProcess.run(layout, env, "publish", folder.toString(), "--json", "--settle", "8s")).lastLine());
        assertEquals(0, again.path("landed").asInt(), again.toString());
    }

    /** The two digits-small runs in the run history: listed, filtered, shown, tagged; a promoted one's record is kept. */
    private static void runHistory(Layout layout, Map<String, String> env) throws Exception {
        JsonNode page = Json.tree(ok(CliProcess.run(layout, env, "runs", "--search", "cli-run", "--json")).out());
        assertEquals(2, page.path("total").asInt(), page.toString());
        for (JsonNode r : page.path("runs")) {
            assertEquals("completed", r.path("state").asText(), r.toString());
            assertEquals("rest", r.path("origin").path("kind").asText(), r.toString());
        }
        JsonNode tagged = Json.tree(ok(CliProcess.run(layout, env, "runs", "tag", "cli-run", "--add", "cli,first", "--note", "digits-small v1", "--json")).out());
        assertEquals(List.of("cli", "first"), List.of(tagged.path("annotations").path("tags").get(0).asText(), tagged.path("annotations").path("tags").get(1).asText()));
        JsonNode byTag = Json.tree(ok(CliProcess.run(layout, env, "runs", "--tag", "cli", "--json")).out());
        assertEquals(1, byTag.path("total").asInt(), byTag.toString());
        JsonNode shown = Json.tree(ok(CliProcess.run(layout, env, "runs", "show", "cli-run", "--json")).out());
        assertEquals("model-cli-run", shown.path("modelId").asText(), shown.toString());
        assertEquals(1, shown.path("series").path("epochs").size(), shown.toString());
        assertTrue(shown.path("figures").path("testAccuracy").isNumber() && shown.path("figures").path("validationAccuracy").isNumber(), shown.toString());
        assertTrue(shown.path("series").path("steps").size() > 0, "step points kept: " + shown);
        String human = ok(CliProcess.run(layout, env, "runs", "show", "cli-run")).out();
        assertTrue(human.contains("started by  rest") && human.contains("digits-small v1"), human);
        assertTrue(ok(CliProcess.run(layout, env, "runs", "--sort", "testAccuracy")).out().contains("cli-run"));
        CliProcess.Result keep = CliProcess.run(layout, env, "runs", "delete", "cli-run");
        assertEquals(1, keep.exitCode(), keep.out() + keep.err());
        assertTrue(keep.err().contains("promoted"), "a promoted model's run is kept: " + keep.err());
        ok(CliProcess.run(layout, env, "runs", "delete", "cli-run-2"));
        CliProcess.Result gone = CliProcess.run(layout, env, "runs", "show", "cli-run-2");
        assertTrue(gone.exitCode() != 0 && gone.err().contains("HTTP 404"), gone.err());
        CliProcess.Result bad = CliProcess.run(layout, env, "runs", "--state", "done");
        assertEquals(2, bad.exitCode(), bad.err());
    }

    /**
     * digits-small's gate passes into a shadow rollout ({@code on-gate-pass=shadow} for that name): the second version
     * does not replace the champion; the gate starts a rollout of it, which watch reports as the decision.
     */
    private static void gatePassesIntoARollout(Layout layout, Map<String, String> env) throws Exception {
        CliProcess.Result second = ok(CliProcess.run(layout, env, "train", "--epochs", "1", "--batch-size", "128",
                "--run-id", "cli-run-2", "--registered-model", "digits-small", "--watch", "--json", "--timeout", "4m"));
        JsonNode verdict = Json.tree(second.lastLine());
        assertFalse(verdict.path("promoted").asBoolean(), second.out());
        assertEquals("shadow", verdict.path("rollout").asText(), second.out());
        JsonNode rollout = Json.tree(ok(CliProcess.run(layout, env, "rollout", "status", "digits-small", "--json")).out());
        assertEquals("model-cli-run-2", rollout.path("challengerModelId").asText(), rollout.toString());
        assertEquals("model-cli-run", rollout.path("championModelId").asText(), rollout.toString());
        assertEquals("gate", rollout.path("startedBy").asText(), rollout.toString());
        assertEquals("running", rollout.path("state").asText(), rollout.toString());
        JsonNode small = Json.tree(ok(CliProcess.run(layout, env, "models", "--name", "digits-small", "--json")).out());
        assertEquals("model-cli-run", small.path("champion").path("modelId").asText(), "the rollout decides, not the gate: " + small);
        ok(CliProcess.run(layout, env, "rollout", "abort", "digits-small", "--reason", "e2e: gate into rollout seen"));
    }

    /**
     * Versions side by side: an alias and a version id answer beside the champion, each from its own loaded version,
     * and the model cache counts what it loaded.
     */
    private static void versionsSideBySide(Layout layout, Map<String, String> env, Path digit, ServiceStack stack,
                                           String champion, String other) throws Exception {
        ok(CliProcess.run(layout, env, "alias", "mnist", "staging", other, "--reason", "cli e2e"));
        String models = ok(CliProcess.run(layout, env, "models")).out();
        assertTrue(models.contains("alias staging -> " + other), models);
        assertEquals(other, servingModel(layout, env, digit, "--version", "staging"));
        assertEquals(champion, servingModel(layout, env, digit, "--version", champion));
        assertEquals(champion, servingModel(layout, env, digit), "the champion stays the default");
        String metrics = Http.get(stack.url("evaluator-service") + "/q/metrics").requireSuccess("evaluator metrics").body();
        assertTrue(metrics.contains("pipeline_serving_model_cache_total{result=\"hit\"}")
                && metrics.contains("pipeline_serving_models_loaded"), "the model cache is measured");
        CliProcess.Result foreign = CliProcess.run(layout, env, "predict", digit.toString(), "--version", "model-none-such");
        assertEquals(1, foreign.exitCode(), foreign.out() + foreign.err());
        assertTrue(foreign.err().contains("HTTP 404"), foreign.err());
        ok(CliProcess.run(layout, env, "alias", "mnist", "staging", "--remove"));
        CliProcess.Result gone = CliProcess.run(layout, env, "predict", digit.toString(), "--version", "staging");
        assertTrue(gone.err().contains("no version or alias 'staging'"), gone.err());
    }

    /**
     * A canary at 100 % answers every champion request with the challenger until aborted; a shadow never answers, and
     * its policy (set here to pass whatever it sees) promotes the challenger once it compared enough requests.
     */
    private static void rollouts(Layout layout, Map<String, String> env, Path digit, EventStream events, String champion,
                                 String other) throws Exception {
        JsonNode canary = Json.tree(ok(CliProcess.run(layout, env, "rollout", "start", "mnist", other, "--mode", "canary",
                "--share", "1", "--min-requests", "100000", "--reason", "canary e2e", "--json")).out());
        assertEquals("running", canary.path("state").asText(), canary.toString());
        assertEquals(champion, canary.path("championModelId").asText());
        assertEquals(other, servingModel(layout, env, digit), "the canary's share answers with the challenger");
        assertEquals(champion, servingModel(layout, env, digit, "--version", "champion"), "a request for a version is not routed");
        CliProcess.Result twice = CliProcess.run(layout, env, "rollout", "start", "mnist", other, "--reason", "again");
        assertTrue(twice.err().contains("is running"), twice.err());
        JsonNode compared = awaitRollout(layout, env, r -> r.path("comparison").path("compared").asLong() >= 1);
        assertTrue(compared.path("comparison").path("challengerAnswered").asLong() >= 1, compared.toString());
        JsonNode aborted = Json.tree(ok(CliProcess.run(layout, env, "rollout", "abort", "mnist", "--reason", "e2e", "--json")).out());
        assertEquals("aborted", aborted.path("state").asText());
        assertEquals("operator-token", aborted.path("decidedBy").asText());
        assertEquals(champion, servingModel(layout, env, digit), "after an abort the champion answers again");

        ok(CliProcess.run(layout, env, "rollout", "start", "mnist", other, "--mode", "shadow", "--min-requests", "5",
                "--min-agreement", "0", "--max-confidence-drop", "1", "--max-latency-ratio", "1000", "--reason", "shadow e2e"));
        for (int i = 0; i < 5; i++) {
            assertEquals(champion, servingModel(layout, env, digit), "a shadow's answers are never returned");
        }
        JsonNode promoted = awaitRollout(layout, env, r -> !r.path("state").asText().equals("running"));
        assertEquals("promoted", promoted.path("state").asText(), promoted.toString());
        assertEquals("policy", promoted.path("decidedBy").asText());
        assertTrue(promoted.path("comparison").path("compared").asLong() >= 5, promoted.toString());
        EventStream.Event change = events.await(Topics.MODEL_PROMOTED, e -> other.equals(e.key())
                && "rollout".equals(Json.tree(e.value()).path("change").path("by").asText()), Duration.ofSeconds(30));
        assertTrue(Json.tree(change.value()).path("change").path("reason").asText().startsWith("rollout "), change.value());
        events.await(Topics.MODEL_ROLLOUT, e -> e.value().contains("\"state\":\"promoted\""), Duration.ofSeconds(30));
        assertEquals(other, servingModel(layout, env, digit), "the promoted challenger serves");
        String status = ok(CliProcess.run(layout, env, "rollout", "status", "mnist")).out();
        assertTrue(status.contains("promoted by policy"), status);
        ok(CliProcess.run(layout, env, "rollback", "--reason", "after the rollout test"));
        assertEquals(champion, servingModel(layout, env, digit));

        // Both versions answered, so both are monitored against the training reference in their manifests.
        JsonNode monitored = Json.tree(ok(CliProcess.run(layout, env, "monitor", "--json")).out());
        for (String version : List.of(champion, other)) {
            JsonNode watched = null;
            for (JsonNode s : monitored.path("drift")) {
                watched = s.path("modelId").asText().equals(version) ? s : watched;
            }
            assertTrue(watched != null && watched.path("reference").asBoolean() && watched.path("registeredModel").asText().equals("mnist"),
                    version + " is monitored: " + monitored);
            assertTrue(watched.path("windows").asLong() * watched.path("windowSize").asLong() + watched.path("filling").asLong() >= 1,
                    watched.toString());
        }
        assertTrue(ok(CliProcess.run(layout, env, "monitor")).out().contains(champion));
        // Step 8's published samples were scored on arrival by the champion of their dataset's name.
        long scored = 0;
        for (JsonNode a : monitored.path("liveAccuracy")) {
            scored += a.path("registeredModel").asText().equals("mnist") ? a.path("samples").asLong() : 0;
        }
        assertTrue(scored >= 1, "live accuracy: " + monitored.path("liveAccuracy"));
    }

    private static JsonNode awaitRollout(Layout layout, Map<String, String> env, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode latest;
        do {
            latest = Json.tree(ok(CliProcess.run(layout, env, "rollout", "status", "mnist", "--json")).out());
            if (done.test(latest)) {
                return latest;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the rollout did not get there in 60 s: " + latest);
    }

    private static String servingModel(Layout layout, Map<String, String> env, Path digit, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("predict", digit.toString(), "--json"));
        args.addAll(List.of(options));
        JsonNode p = Json.tree(ok(CliProcess.run(layout, env, args.toArray(String[]::new))).out()).get(0);
        assertEquals(3, p.path("top").size(), p.toString());
        assertNotEquals("", p.path("modelId").asText());
        return p.path("modelId").asText();
    }

    private static CliProcess.Result ok(CliProcess.Result r) {
        assertEquals(0, r.exitCode(), r.out() + r.err());
        // A normal run prints no stack trace and no logging-setup noise.
        assertFalse(r.err().contains("SLF4J(") || r.err().contains("\tat "),
                "stderr of a normal run: " + r.err());
        return r;
    }

    /** What a user exports for a stack: its URLs, tokens, and Kafka settings (the admin's and the publisher's). */
    private static Map<String, String> environment(ServiceStack stack, Infrastructure infra) {
        Map<String, String> env = new HashMap<>(stack.tokens().clientEnv());
        env.put("PIPELINE_INGEST_URL", stack.url("ingest-service"));
        env.put("PIPELINE_TRAINER_URL", stack.url("trainer-service"));
        env.put("PIPELINE_EVALUATOR_URL", stack.url("evaluator-service"));
        env.putAll(infra.kafka().env());
        infra.kafka(ServiceAccess.SAMPLES_PUBLISHER).env().forEach((k, v) -> env.put("SAMPLES_" + k, v));
        return env;
    }
}
