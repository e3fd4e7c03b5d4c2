package dev.mnistpipeline.ingest;

import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.stack.testing.Deliveries;
import dev.mnistpipeline.stack.testing.ServiceTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mnistpipeline.stack.testing.ServiceTestResource.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest service alone, in seconds: its REST resource (roles, JSON errors, an upload) and its sample handler
 * (good samples become a new version; a bad one is refused with its reason), on a real S3 server with its Kafka
 * channels in memory.
 */
@QuarkusTest
@WithTestResource(value = ServiceTestResource.class, initArgs = {
        @ResourceArg(name = "incoming", value = Topics.Channels.SAMPLES_SUBMITTED),
        @ResourceArg(name = "outgoing", value = Topics.Channels.DATASET_INGESTED + "," + Topics.Channels.SAMPLES_DEAD_LETTERS),
        @ResourceArg(name = "pipeline.samples.batch-size", value = "3"),
        @ResourceArg(name = "pipeline.samples.max-wait", value = "1h")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestServiceTest {
    private static final Path SUBSET = Path.of("../data/mnist-subset");

    /** The uploaded version (test 3), which the samples of test 4 extend. */
    private static DatasetIngested uploaded;

    @Inject
    @Any
    InMemoryConnector connector;


    @Test
    @Order(1)
    void everyEndpointNamesItsRoleAndAnswersJson() {
        given().when().get("/datasets").then().statusCode(401).body("error", notNullValue());
        given().header("Authorization", "Bearer not-a-token").when().get("/datasets").then().statusCode(401);
        as(Roles.VIEWER).when().get("/datasets").then().statusCode(200);
        as(Roles.VIEWER).contentType("application/json").body("{\"source\":\"mnist\"}")
                .when().post("/datasets").then().statusCode(403).body("error", notNullValue());
        as(Roles.PREDICTOR).contentType("application/json").body("{\"source\":\"mnist\"}")
                .when().post("/datasets").then().statusCode(403);
        // Health is open for probes; metrics need the scraper's (viewer's) token.
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(401);
        as(Roles.VIEWER).when().get("/q/metrics").then().statusCode(200);
    }

    @Test
    @Order(2)
    void badRequestsGetAReasonAndChangeNothing() {
        as(Roles.OPERATOR).contentType("application/json").body("")
                .when().post("/datasets").then().statusCode(400).body("error", containsString("body required"));
        as(Roles.OPERATOR).contentType("application/json").body("{\"source\":\"/etc\"}")
                .when().post("/datasets").then().statusCode(400).body("error", notNullValue());
        as(Roles.OPERATOR).contentType("application/json").body("{\"source\":\"http://169.254.169.254/\"}")
                .when().post("/datasets").then().statusCode(400).body("error", notNullValue());
        as(Roles.OPERATOR).multiPart("train-images", SUBSET.resolve("train-images-idx3-ubyte.gz").toFile())
                .when().post("/datasets/upload").then().statusCode(400).body("error", containsString("train-labels"));
        as(Roles.VIEWER).when().get("/datasets/ds-0000").then().statusCode(400).body("error", containsString("16 hex digits"));
        as(Roles.VIEWER).when().get("/datasets/ds-0123456789abcdef").then().statusCode(404).body("error", notNullValue());
        as(Roles.VIEWER).when().get("/datasets").then().statusCode(200).body("size()", equalTo(0));
        assertTrue(ingested().received().isEmpty(), "nothing was announced");
    }

    @Test
    @Order(3)
    void anUploadBecomesAVersionAndIsAnnouncedOnce() {
        String id = upload(201);
        uploaded = Json.read(ingested().received().get(0).getPayload(), DatasetIngested.class);
        assertEquals(id, uploaded.datasetId());
        assertEquals("mnist", uploaded.name());
        assertNull(uploaded.parentId());
        // The same upload again is the same version: answered 200 and not announced again.
        assertEquals(id, upload(200));
        assertEquals(1, ingested().received().size());
    }

    @Test
    @Order(4)
    void goodSamplesBecomeAChildVersionAndABadOneIsDeadLetteredWithItsReason() throws Exception {
        ingested().clear();
        // One poll of three records, the last with a bad label; then a poll with the third good one (batch-size 3).
        CompletableFuture<Throwable> first = deliver(List.of(sample("s-1", 3), sample("s-2", 7),
                new SampleSubmitted("s-bad", 12, pixels(9), null, "mnist")));
        // The bad one alone is dead-lettered, with its reason: the poll is not nacked, which would dead-letter all.
        var letters = connector.<String>sink(Topics.Channels.SAMPLES_DEAD_LETTERS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (letters.received().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(1, letters.received().size(), "the bad sample dead-lettered");
        var letter = letters.received().get(0);
        assertTrue(letter.getPayload().contains("s-bad"), letter.getPayload());
        var headers = letter.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getHeaders();
        String reason = new String(headers.lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("label"), reason);
        // Two good samples are held, not stored: the poll is not acknowledged before they are.
        Thread.sleep(500);
        assertFalse(first.isDone(), "acknowledged before its samples were stored");
        CompletableFuture<Throwable> second = deliver(List.of(sample("s-3", 1)));
        // The three good ones fill a batch: one new version, its parent the upload; then both polls are acknowledged.
        assertNull(first.get(60, TimeUnit.SECONDS), "the first poll acknowledged");
        assertNull(second.get(60, TimeUnit.SECONDS), "the second poll acknowledged");
        DatasetIngested child = Json.read(ingested().received().get(0).getPayload(), DatasetIngested.class);
        assertEquals(1, ingested().received().size());
        assertEquals(1, letters.received().size(), "one dead letter");
        assertEquals(uploaded.datasetId(), child.parentId(), "a child of the uploaded version");
        assertEquals(uploaded.trainCount() + 3, child.trainCount());
        as(Roles.VIEWER).when().get("/datasets/" + child.datasetId()).then().statusCode(200)
                .body("parentId", equalTo(uploaded.datasetId()));
    }

    private String upload(int status) {
        return as(Roles.OPERATOR)
                .multiPart("train-images", SUBSET.resolve("train-images-idx3-ubyte.gz").toFile())
                .multiPart("train-labels", SUBSET.resolve("train-labels-idx1-ubyte.gz").toFile())
                .multiPart("test-images", SUBSET.resolve("t10k-images-idx3-ubyte.gz").toFile())
                .multiPart("test-labels", SUBSET.resolve("t10k-labels-idx1-ubyte.gz").toFile())
                .when().post("/datasets/upload").then().statusCode(status).extract().path("datasetId");
    }

    private InMemorySink<String> ingested() {
        return connector.sink(Topics.Channels.DATASET_INGESTED);
    }

    /** Delivers one poll of {@code samples}: null once the service acknowledges it, or why it refused all of it. */
    private CompletableFuture<Throwable> deliver(List<SampleSubmitted> samples) {
        return Deliveries.deliverPoll(connector, Topics.Channels.SAMPLES_SUBMITTED, samples.stream().map(Json::write).toList());
    }

    private static SampleSubmitted sample(String id, int label) {
        return new SampleSubmitted(id, label, pixels(label), null, "mnist");
    }

    /** A distinct image per seed: identical images would be one sample after dedupe. */
    private static String pixels(int seed) {
        byte[] image = new byte[784];
        for (int i = seed; i < 784; i += 29) {
            image[i] = (byte) 200;
        }
        return Base64.getEncoder().encodeToString(image);
    }
}
