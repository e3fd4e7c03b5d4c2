package dev.mnistpipeline.trainer;

import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.testing.Deliveries;
import dev.mnistpipeline.stack.testing.ServiceTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer alone, in seconds: its REST resources (roles, JSON errors, a run queued once on
 * {@code training.requested}, cancellation) and its request handler (a run whose dataset is not prepared yet waits
 * where people can see it and lets the others pass; an unreadable request is refused). Training itself is proven
 * by the model tests and the end-to-end flow.
 */
@QuarkusTest
@WithTestResource(value = ServiceTestResource.class, initArgs = {
        @ResourceArg(name = "incoming", value = Topics.Channels.TRAINING_REQUESTED + "," + Topics.Channels.DATASET_PREPARED),
        @ResourceArg(name = "outgoing", value = Topics.Channels.TRAINING_REQUESTED_OUT + "," + Topics.Channels.TRAINING_METRICS
                + "," + Topics.Channels.MODEL_TRAINED),
        @ResourceArg(name = "pipeline.trainer.max-epochs", value = "20")})
class TrainerServiceTest {
    /** A prepared dataset's id that nothing has prepared. */
    private static final String NOT_PREPARED = "pp-00000000000000aa";

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ObjectStore store;

    /** As {@code role}, with a JSON body. */
    private static RequestSpecification as(String role) {
        return ServiceTestResource.as(role).contentType("application/json");
    }

    @Test
    void everyEndpointNamesItsRole() {
        given().when().get("/trainings/run-1").then().statusCode(401).body("error", notNullValue());
        given().when().get("/sweeps").then().statusCode(401);
        as(Roles.VIEWER).body("{}").when().post("/trainings").then().statusCode(403).body("error", notNullValue());
        as(Roles.PREDICTOR).body("{}").when().post("/trainings").then().statusCode(403);
        as(Roles.PREDICTOR).when().delete("/trainings/run-1").then().statusCode(403);
        as(Roles.VIEWER).body("{}").when().post("/sweeps").then().statusCode(403);
        as(Roles.VIEWER).when().get("/sweeps").then().statusCode(200);
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(401);
    }

    @Test
    void badRequestsGetTheirReasonAndQueueNothing() {
        InMemorySink<String> queued = connector.sink(Topics.Channels.TRAINING_REQUESTED_OUT);
        queued.clear();
        as(Roles.OPERATOR).body("{\"preparedId\":\"" + preparedId() + "\",\"hyperparameters\":{\"epochs\":0,\"learningRate\":-1}}")
                .when().post("/trainings").then().statusCode(400).body("error", containsString("invalid hyperparameters"));
        as(Roles.OPERATOR).body("{\"preparedId\":\"" + preparedId() + "\",\"hyperparameters\":[1]}")
                .when().post("/trainings").then().statusCode(400).body("error", containsString("JSON object"));
        as(Roles.OPERATOR).body("{\"preparedId\":\"" + preparedId() + "\",\"hyperparameters\":{\"epochs\":50}}")
                .when().post("/trainings").then().statusCode(400).body("error", containsString("max-epochs"));
        as(Roles.OPERATOR).body("{\"preparedId\":\"" + NOT_PREPARED + "\"}")
                .when().post("/trainings").then().statusCode(400).body("error", containsString("no prepared dataset"));
        as(Roles.OPERATOR).body("{\"preparedId\":\"../registry\"}")
                .when().post("/trainings").then().statusCode(400).body("error", notNullValue());
        as(Roles.VIEWER).when().get("/trainings/run-never").then().statusCode(404).body("error", containsString("no run"));
        as(Roles.OPERATOR).when().delete("/trainings/run-never").then().statusCode(404);
        as(Roles.OPERATOR).body("{\"search\":\"grid\",\"parallelism\":99}").when().post("/sweeps").then().statusCode(400)
                .body("error", notNullValue());
        assertTrue(queued.received().isEmpty(), "nothing was queued");
    }

    @Test
    void aRequestIsQueuedOnceAndCanBeCancelled() {
        InMemorySink<String> queued = connector.sink(Topics.Channels.TRAINING_REQUESTED_OUT);
        queued.clear();
        String body = "{\"runId\":\"run-queued-1\",\"preparedId\":\"" + preparedId() + "\",\"hyperparameters\":{\"architecture\":\"mlp\",\"epochs\":1}}";
        as(Roles.OPERATOR).body(body).when().post("/trainings").then().statusCode(202)
                .body("runId", equalTo("run-queued-1")).body("hyperparameters.architecture", equalTo("mlp"));
        as(Roles.OPERATOR).body(body).when().post("/trainings").then().statusCode(202);
        assertEquals(1, queued.received().size(), "the same run id is queued once");
        TrainingRequested request = Json.read(queued.received().get(0).getPayload(), TrainingRequested.class);
        assertEquals(preparedId(), request.preparedId());
        as(Roles.VIEWER).when().get("/trainings/run-queued-1").then().statusCode(200).body("state", equalTo("queued"));
        as(Roles.OPERATOR).body("{\"reason\":\"wrong settings\"}").when().delete("/trainings/run-queued-1")
                .then().statusCode(202).body("reason", equalTo("wrong settings"));
        // Its lasting record: who asked, on what, with which settings.
        RunRecord record = new RunRecords(store).find("run-queued-1").orElseThrow();
        assertEquals("rest", record.origin().kind());
        assertNotNull(record.origin().by());
        assertEquals(preparedId(), record.preparedId());
        assertEquals("mlp", record.hyperparameters().architecture());
        assertEquals("queued", record.state());
    }

    @Test
    void refusedRequestsAreRecordedWithTheirReason() throws Exception {
        as(Roles.OPERATOR).body("{\"runId\":\"run-refused-rest\",\"preparedId\":\"" + preparedId() + "\",\"hyperparameters\":{\"epochs\":50}}")
                .when().post("/trainings").then().statusCode(400);
        RunRecord rest = new RunRecords(store).find("run-refused-rest").orElseThrow();
        assertEquals("refused", rest.state());
        assertTrue(rest.reason().contains("max-epochs"), rest.reason());
        TrainingRequested tooLong = new TrainingRequested("run-refused-topic", preparedId(), null,
                Hyperparameters.builder().epochs(50).build(), Instant.now(), null);
        assertNotNull(Deliveries.deliver(connector, Topics.Channels.TRAINING_REQUESTED, Json.write(tooLong)).get(60, TimeUnit.SECONDS),
                "dead-lettered");
        RunRecord topic = new RunRecords(store).find("run-refused-topic").orElseThrow();
        assertEquals("refused", topic.state());
        assertEquals("topic", topic.origin().kind());
        assertTrue(topic.reason().contains("max-epochs"), topic.reason());
        assertTrue(connector.sink(Topics.Channels.TRAINING_METRICS).received().stream().map(m -> String.valueOf(m.getPayload()))
                .anyMatch(p -> p.contains("run-refused-topic") && p.contains("\"refused\"")), "a refused report for dashboards");
        as(Roles.VIEWER).when().get("/trainings/run-refused-topic").then().statusCode(200).body("state", equalTo("refused"));
    }

    @Test
    void aRunWhoseDatasetIsNotPreparedWaitsVisiblyAndAnUnreadableOneIsRefused() throws Exception {
        TrainingRequested request = new TrainingRequested("run-waits-1", NOT_PREPARED, null, null, Instant.now(), null);
        assertNull(Deliveries.deliver(connector, Topics.Channels.TRAINING_REQUESTED, Json.write(request)).get(60, TimeUnit.SECONDS),
                "parked and acknowledged: the runs behind it go ahead");
        as(Roles.VIEWER).when().get("/trainings/run-waits-1").then().statusCode(200)
                .body("state", equalTo("waiting")).body("reason", containsString(NOT_PREPARED));
        Throwable refused = Deliveries.deliver(connector, Topics.Channels.TRAINING_REQUESTED, "{\"runId\":\"../x\"}").get(60, TimeUnit.SECONDS);
        assertTrue(refused != null, "an unreadable request is refused (its topic's DLQ on Kafka)");
        assertTrue(connector.sink(Topics.Channels.MODEL_TRAINED).received().isEmpty());
    }

    /** A prepared dataset's manifest: all that queuing a run reads of it (its bytes' hash). */
    private String preparedId() {
        String id = "pp-0123456789abcdef";
        if (!store.exists(ObjectKeys.preparedManifest(id))) {
            store.putText(ObjectKeys.preparedManifest(id), "{\"schemaVersion\":1,\"preparedId\":\"" + id + "\"}");
        }
        return id;
    }
}
