package dev.mnistpipeline.evaluator;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.evaluator.domain.PreparedTestSplits;
import dev.mnistpipeline.evaluator.domain.RunHistory;
import dev.mnistpipeline.evaluator.domain.TestSplits;
import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import dev.mnistpipeline.stack.testing.Deliveries;
import dev.mnistpipeline.stack.testing.ServiceTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.mnistpipeline.stack.testing.ServiceTestResource.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator alone, in seconds: its REST resources (roles, JSON errors, prediction before any champion,
 * promotion of an unknown model) and its model handler (an unreadable or dangling {@code model.trained} is
 * refused with its reason and announces nothing). Scoring real models is proven end to end.
 */
@QuarkusTest
@WithTestResource(value = ServiceTestResource.class, initArgs = {
        @ResourceArg(name = "incoming", value = Topics.Channels.MODEL_TRAINED + "," + Topics.Channels.INFERENCE_REQUESTS
                + "," + Topics.Channels.DASHBOARD_FEED + "," + Topics.Channels.LIVE_SAMPLES),
        @ResourceArg(name = "outgoing", value = Topics.Channels.EVALUATION_COMPLETED + "," + Topics.Channels.MODEL_PROMOTED
                + "," + Topics.Channels.MODEL_REJECTED + "," + Topics.Channels.MODEL_ROLLOUT + "," + Topics.Channels.INFERENCE_RESULTS)})
class EvaluatorServiceTest {

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ObjectStore store;

    @Inject
    RunHistory runs;

    @Inject
    TestSplits testSplits;

    @Inject
    OpenTelemetry openTelemetry;


    @Test
    void everyEndpointNamesItsRole() {
        given().when().get("/models").then().statusCode(401).body("error", notNullValue());
        given().contentType("application/octet-stream").body(new byte[784]).when().post("/predict").then().statusCode(401);
        as(Roles.VIEWER).contentType("application/octet-stream").body(new byte[784]).when().post("/predict").then().statusCode(403);
        as(Roles.PREDICTOR).contentType("application/json").body("{}").when().post("/models/m-x/promote").then().statusCode(403);
        as(Roles.VIEWER).contentType("application/json").body("{}").when().put("/gate/suites/fashion").then().statusCode(403);
        for (String path : new String[]{"/models", "/evaluations", "/gate/suites", "/dashboard/sweeps"}) {
            as(Roles.VIEWER).when().get(path).then().statusCode(200);
        }
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(401);
    }

    @Test
    void requestsItCannotServeGetTheirReasonAsJson() {
        // Before any champion, a valid image is answered, with 503 and why.
        as(Roles.PREDICTOR).contentType("application/octet-stream").body(new byte[784]).when().post("/predict")
                .then().statusCode(503).body("error", notNullValue());
        as(Roles.PREDICTOR).contentType("image/png").body(new byte[]{1, 2, 3}).when().post("/predict")
                .then().statusCode(400).body("error", notNullValue());
        as(Roles.VIEWER).when().get("/models/champion").then().statusCode(404).body("error", notNullValue());
        as(Roles.OPERATOR).contentType("application/json").body("{\"reason\":\"try\"}").when().post("/models/m-run-none/promote")
                .then().statusCode(400).body("error", containsString("'model-' and a run id"));
        as(Roles.OPERATOR).contentType("application/json").body("{\"reason\":\"try\"}").when().post("/models/model-run-none/promote")
                .then().statusCode(404).body("error", containsString("no model"));
        as(Roles.OPERATOR).contentType("application/json").body("{\"reason\":\"try\"}").when().post("/models/champion/rollback")
                .then().statusCode(409).body("error", notNullValue());
        as(Roles.VIEWER).when().get("/evaluations/eval-model-run-none").then().statusCode(404).body("error", notNullValue());
        as(Roles.VIEWER).when().get("/models").then().statusCode(200).body("models.size()", equalTo(0)).body("history.size()", equalTo(0));
    }

    @Test
    void aModelEventThatCannotBeEvaluatedIsRefusedWithItsReason() throws Exception {
        Throwable unreadable = Deliveries.deliver(connector, Topics.Channels.MODEL_TRAINED, "{\"modelId\":").get(60, TimeUnit.SECONDS);
        assertTrue(unreadable != null, "unreadable JSON is refused");
        ModelTrained dangling = new ModelTrained("model-run-gone", "run-gone", "pp-0123456789abcdef", "ds-0123456789abcdef",
                null, "models/model-run-gone/", "models/model-run-gone/manifest.json", "0".repeat(64), 0.9, 1, 1, Instant.now());
        Throwable refused = Deliveries.deliver(connector, Topics.Channels.MODEL_TRAINED, Json.write(dangling)).get(60, TimeUnit.SECONDS);
        assertTrue(refused != null, "a model event whose model does not exist is refused");
        assertTrue(connector.sink(Topics.Channels.EVALUATION_COMPLETED).received().isEmpty(), "nothing announced");
        assertTrue(connector.sink(Topics.Channels.MODEL_PROMOTED).received().isEmpty());
    }

    @Test
    void registeredModelsVersionsAndAliasesAreAddressedByNameAndRefusedWithAReason() {
        as(Roles.VIEWER).when().get("/registered-models").then().statusCode(200).body("size()", equalTo(0));
        as(Roles.VIEWER).when().get("/registered-models/fashion-mnist").then().statusCode(404).body("error", containsString("no registered model"));
        as(Roles.VIEWER).when().get("/registered-models/Fashion_MNIST").then().statusCode(400).body("error", containsString("registered model name"));
        as(Roles.VIEWER).when().get("/models?name=fashion-mnist").then().statusCode(200)
                .body("name", equalTo("fashion-mnist")).body("champion", nullValue()).body("history.size()", equalTo(0));
        as(Roles.OPERATOR).contentType("application/json").body("{\"reason\":\"try\"}").when()
                .post("/models/champion/rollback?name=fashion-mnist").then().statusCode(409).body("error", containsString("fashion-mnist"));

        String alias = "{\"modelId\":\"model-run-none\",\"reason\":\"try it\"}";
        as(Roles.VIEWER).contentType("application/json").body(alias).when().put("/registered-models/mnist/aliases/staging").then().statusCode(403);
        as(Roles.OPERATOR).contentType("application/json").body(alias).when().put("/registered-models/mnist/aliases/staging")
                .then().statusCode(409).body("error", containsString("no model model-run-none"));
        as(Roles.OPERATOR).contentType("application/json").body(alias).when().put("/registered-models/mnist/aliases/champion")
                .then().statusCode(409).body("error", containsString("only through the gate"));
        as(Roles.OPERATOR).contentType("application/json").body(alias).when().put("/registered-models/mnist/aliases/model-x")
                .then().statusCode(400).body("error", containsString("alias must be"));
        as(Roles.OPERATOR).contentType("application/json").body("{\"modelId\":\"model-run-none\"}").when()
                .put("/registered-models/mnist/aliases/staging").then().statusCode(400).body("error", containsString("reason"));
        as(Roles.OPERATOR).when().delete("/registered-models/mnist/aliases/staging").then().statusCode(404).body("error", containsString("no alias"));

        byte[] digit = new byte[784];
        predict("?model=fashion-mnist", digit).statusCode(503).body("error", containsString("no champion of fashion-mnist"));
        predict("?model=Fashion", digit).statusCode(400).body("error", containsString("registered model name"));
        predict("?version=model-run-none", digit).statusCode(404).body("error", containsString("no model version model-run-none"));
        predict("?version=staging", digit).statusCode(404).body("error", containsString("no version or alias 'staging'"));
        predict("?version=../../x", digit).statusCode(400).body("error", containsString("alias must be"));
        as(Roles.VIEWER).when().get("/v2/models/mnist/versions/staging").then().statusCode(404).body("error", containsString("staging"));
    }

    @Test
    void rolloutsAreRefusedWithAReasonUntilThereIsSomethingToRollOut() {
        as(Roles.VIEWER).when().get("/rollouts").then().statusCode(200).body("size()", equalTo(0));
        as(Roles.VIEWER).when().get("/rollouts/mnist").then().statusCode(404).body("error", containsString("no rollout of mnist"));
        String canary = "{\"registeredModel\":\"mnist\",\"challengerModelId\":\"model-run-none\",\"mode\":\"canary\","
                + "\"share\":0.1,\"reason\":\"try it\"}";
        as(Roles.VIEWER).contentType("application/json").body(canary).when().post("/rollouts").then().statusCode(403);
        as(Roles.OPERATOR).contentType("application/json").body(canary).when().post("/rollouts")
                .then().statusCode(409).body("error", containsString("no champion of mnist"));
        as(Roles.OPERATOR).contentType("application/json").body(canary.replace("canary", "blue-green")).when().post("/rollouts")
                .then().statusCode(400).body("error", containsString("canary or shadow"));
        as(Roles.OPERATOR).contentType("application/json").body(canary.replace("0.1", "1.5")).when().post("/rollouts")
                .then().statusCode(400).body("error", containsString("share"));
        as(Roles.OPERATOR).contentType("application/json").body(canary.replace(",\"reason\":\"try it\"", "")).when().post("/rollouts")
                .then().statusCode(400).body("error", containsString("reason"));
        as(Roles.OPERATOR).contentType("application/json").body(canary.replace("}", ",\"policy\":{\"minRequests\":0}}")).when()
                .post("/rollouts").then().statusCode(400).body("error", containsString("minRequests"));
        as(Roles.OPERATOR).contentType("application/json").body("{\"reason\":\"stop\"}").when().post("/rollouts/mnist/abort")
                .then().statusCode(409).body("error", containsString("no rollout of mnist is running"));
    }

    @Test
    void liveSamplesAreObservedNeverRefused() throws Exception {
        // The ingest service dead-letters what it cannot read; live accuracy skips it, and before a champion scores nothing.
        assertNull(Deliveries.deliver(connector, Topics.Channels.LIVE_SAMPLES, "{\"sampleId\":").get(60, TimeUnit.SECONDS));
        String sample = Json.write(new SampleSubmitted("live-1", 7, Base64.getEncoder().encodeToString(new byte[784]), null, "mnist"));
        assertNull(Deliveries.deliver(connector, Topics.Channels.LIVE_SAMPLES, sample).get(60, TimeUnit.SECONDS));
        as(Roles.VIEWER).when().get("/monitoring").then().statusCode(200)
                .body("drift.size()", equalTo(0)).body("liveAccuracy.size()", equalTo(0));
    }

    private static ValidatableResponse predict(String query, byte[] body) {
        return as(Roles.PREDICTOR).contentType("application/octet-stream").body(body).when().post("/predict" + query).then();
    }

    /** The Open Inference Protocol's own example request (KServe v2 docs), which this model cannot take. */
    private static final String SPEC_EXAMPLE_REQUEST = """
            {"id": "42",
             "inputs": [{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4]},
                        {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [true]}],
             "outputs": [{"name": "output0"}]}""";

    @Test
    void theInferenceProtocolAnswersAsTheSpecificationSaysBeforeAnyModelServes() {
        given().when().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
        given().when().get("/v2/health/ready").then().statusCode(400).body("ready", equalTo(false));
        given().when().get("/v2/models/mnist").then().statusCode(401).body("error", notNullValue());
        as(Roles.VIEWER).when().get("/v2").then().statusCode(200).body("name", notNullValue()).body("extensions.size()", equalTo(0));
        as(Roles.VIEWER).when().get("/v2/models/mnist").then().statusCode(200)
                .body("name", equalTo("mnist")).body("versions.size()", equalTo(0))
                .body("inputs[0].datatype", equalTo("FP32")).body("inputs[0].shape", equalTo(List.of(-1, 28, 28)))
                .body("outputs.name", equalTo(List.of("probabilities", "label")));
        as(Roles.VIEWER).when().get("/v2/models/mnist/ready").then().statusCode(400)
                .body("name", equalTo("mnist")).body("ready", equalTo(false));
        as(Roles.VIEWER).when().get("/v2/models/fashion").then().statusCode(404).body("error", containsString("unknown model"));

        String oneImage = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":["
                + String.join(",", Collections.nCopies(784, "0.5")) + "]}]}";
        as(Roles.VIEWER).contentType("application/json").body(oneImage).when().post("/v2/models/mnist/infer").then().statusCode(403);
        as(Roles.PREDICTOR).contentType("application/json").body(oneImage).when().post("/v2/models/mnist/infer")
                .then().statusCode(503).body("error", containsString("no champion"));
        // Bad requests: the protocol's error object, with what is wrong.
        infer(SPEC_EXAMPLE_REQUEST).statusCode(400).body("error", containsString("exactly one tensor"));
        infer(oneImage.replace("FP32", "UINT32")).statusCode(400).body("error", containsString("UINT32 is not supported"));
        infer(oneImage.replace("[1,784]", "[2,784]")).statusCode(400).body("error", containsString("needs 1568 values"));
        infer(oneImage.replace("[1,784]", "[1,32,32]")).statusCode(400).body("error", containsString("not an image batch"));
        infer(oneImage.replace("0.5,", "2.0,")).statusCode(400).body("error", containsString("0-1"));
        infer(oneImage.replace("]}]}", "]}],\"outputs\":[{\"name\":\"logits\"}]}")).statusCode(400).body("error", containsString("unknown output"));
        infer("{\"inputs\":").statusCode(400).body("error", notNullValue());
    }

    @Test
    void runHistoryIsListedAnnotatedAndDeletedWithRolesAndReasons() throws Exception {
        Hyperparameters hp = Hyperparameters.DEFAULTS;
        new RunRecords(store).update("hist-1", r -> RunRecord.created("hist-1", RunRecord.Origin.rest("alice"), null,
                "pp-0123456789abcdef", "ds-0123456789abcdef", "mnist", hp, "completed", null, Instant.now()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!runs.index().ready() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        runs.index().changed("hist-1"); // what a progress report or the periodic resync does
        given().when().get("/runs").then().statusCode(401).body("error", notNullValue());
        as(Roles.VIEWER).when().get("/runs?q=hist-&state=completed&sort=validationAccuracy").then().statusCode(200)
                .body("total", equalTo(1)).body("runs[0].runId", equalTo("hist-1")).body("runs[0].architecture", equalTo("cnn"));
        as(Roles.VIEWER).when().get("/runs?limit=0").then().statusCode(400).body("error", containsString("limit"));
        as(Roles.VIEWER).when().get("/runs?sort=nope").then().statusCode(400).body("error", containsString("sort"));
        as(Roles.VIEWER).when().get("/runs?state=done").then().statusCode(400).body("error", containsString("state"));
        as(Roles.VIEWER).when().get("/runs?from=yesterday").then().statusCode(400).body("error", containsString("ISO-8601"));
        as(Roles.VIEWER).when().get("/runs/hist-1").then().statusCode(200).body("origin.kind", equalTo("rest"))
                .body("origin.by", equalTo("alice")).body("states[0].state", equalTo("completed"));
        as(Roles.VIEWER).when().get("/runs/hist-none").then().statusCode(404).body("error", containsString("no run"));
        as(Roles.VIEWER).when().get("/runs/..bad").then().statusCode(400).body("error", notNullValue());

        String tag = "{\"addTags\":[\"baseline\"],\"note\":\"the first\"}";
        as(Roles.VIEWER).contentType("application/json").body(tag).when().patch("/runs/hist-1").then().statusCode(403);
        as(Roles.OPERATOR).contentType("application/json").body(tag).when().patch("/runs/hist-1").then().statusCode(200)
                .body("annotations.tags", equalTo(List.of("baseline"))).body("annotations.note", equalTo("the first"))
                .body("annotations.by", notNullValue());
        as(Roles.VIEWER).when().get("/runs?tag=baseline").then().statusCode(200).body("total", equalTo(1));
        as(Roles.OPERATOR).contentType("application/json").body("{\"addTags\":[\"two words\"]}").when().patch("/runs/hist-1")
                .then().statusCode(400).body("error", containsString("tag"));
        as(Roles.OPERATOR).contentType("application/json").body("{}").when().patch("/runs/hist-1")
                .then().statusCode(400).body("error", containsString("nothing to change"));
        as(Roles.OPERATOR).contentType("application/json").body(tag).when().patch("/runs/hist-none").then().statusCode(404);

        as(Roles.VIEWER).when().delete("/runs/hist-1").then().statusCode(403);
        as(Roles.OPERATOR).when().delete("/runs/hist-1").then().statusCode(204);
        as(Roles.VIEWER).when().get("/runs/hist-1").then().statusCode(404);
        as(Roles.VIEWER).when().get("/runs?q=hist-").then().statusCode(200).body("total", equalTo(0));
        as(Roles.OPERATOR).when().delete("/runs/hist-1").then().statusCode(404).body("error", containsString("no run"));

        // A model from before run history gets a record from its manifest, once.
        ModelManifest old = new ModelManifest("model-old-run", "old-run", "ds-0123456789abcdef", "pp-0123456789abcdef", null, "0.1",
                hp, "tensorflow", null, null, null, 10, List.of(), null,
                List.of(new ModelManifest.EpochSummary(1, 0.3, 0.91, 0.95, 10), new ModelManifest.EpochSummary(2, 0.1, 0.97, 0.98, 10)),
                0.98, 20, 3000, List.of(), Instant.parse("2026-01-01T00:00:00Z"), "mnist", null);
        store.putJson(ObjectKeys.modelManifest("model-old-run"), old);
        store.remove(ObjectKeys.RUN_HISTORY_BACKFILLED); // as before run history: the startup's backfill found nothing
        assertEquals(1, runs.backfill());
        as(Roles.OPERATOR).when().delete("/runs/old-run").then().statusCode(204);
        assertEquals(0, runs.backfill(), "once per bucket: a deleted record is not made again");
        as(Roles.VIEWER).when().get("/runs/old-run").then().statusCode(404);
        store.remove(ObjectKeys.RUN_HISTORY_BACKFILLED);
        assertEquals(1, runs.backfill());
        as(Roles.VIEWER).when().get("/runs/old-run").then().statusCode(200).body("origin.kind", equalTo("backfill"))
                .body("series.epochs.size()", equalTo(2)).body("figures.validationAccuracy", equalTo(0.98f))
                .body("createdAt", equalTo("2026-01-01T00:00:00Z"));
        as(Roles.VIEWER).when().get("/runs?q=old-run").then().statusCode(200).body("total", equalTo(1));
    }

    @Test
    void aRunThatStartsTrainingHasItsTestSplitReadAheadForItsEvaluation() throws Exception {
        PreparedManifest training = PreparedTestSplits.store(store, "pp-aaaaaaaaaaaaaaaa", 20, 0.25f, true);
        PreparedTestSplits.store(store, "pp-bbbbbbbbbbbbbbbb", 20, 0.75f, true);
        RunRecords records = new RunRecords(store);
        records.update("ahead-1", r -> RunRecord.created("ahead-1", RunRecord.Origin.rest("alice"), null,
                "pp-aaaaaaaaaaaaaaaa", "ds-aaaaaaaaaaaaaaaa", "mnist", Hyperparameters.DEFAULTS, "training", null, Instant.now()));
        // A start replayed from the feed's beginning, of a run that has ended since: nothing to evaluate, nothing read.
        records.update("ended-1", r -> RunRecord.created("ended-1", RunRecord.Origin.rest("alice"), null,
                "pp-bbbbbbbbbbbbbbbb", "ds-bbbbbbbbbbbbbbbb", "mnist", Hyperparameters.DEFAULTS, "completed", null, Instant.now()));
        startedAt("ended-1", Instant.now().minusSeconds(3600));
        startedAt("ahead-1", Instant.now());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!testSplits.holds("pp-aaaaaaaaaaaaaaaa") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(testSplits.holds("pp-aaaaaaaaaaaaaaaa"), "the training run's test split is read ahead");
        assertFalse(testSplits.holds("pp-bbbbbbbbbbbbbbbb"), "an ended run's split is not");
        testSplits.readAhead("pp-aaaaaaaaaaaaaaaa").get(60, TimeUnit.SECONDS);
        PreparedTestSplits.removeShards(store, "pp-aaaaaaaaaaaaaaaa");
        assertEquals(0.25f, testSplits.get(training).images()[0], "the evaluation finds it in memory");
    }

    @Test
    void predictionTracesAreSampledByTheServingSampler() {
        // Quarkus wraps the application's Sampler bean in its own (which drops health and metrics routes).
        String sampler = ((OpenTelemetrySdk) openTelemetry).getSdkTracerProvider().getSampler().getDescription();
        assertTrue(sampler.contains("ServingTraceSampler{predictions=0.01"), sampler);
    }

    private void startedAt(String runId, Instant time) {
        String started = Json.write(new TrainingMetrics(runId, RunPhase.STARTED, 0, 2, 0, 100, 0, 0, null, 0, null, time));
        connector.source(Topics.Channels.DASHBOARD_FEED).send(new ConsumerRecord<>(Topics.TRAINING_METRICS, 0, 0L, runId, started));
    }

    private static ValidatableResponse infer(String body) {
        return as(Roles.PREDICTOR).contentType("application/json").body(body).when().post("/v2/models/mnist/infer").then();
    }
}
