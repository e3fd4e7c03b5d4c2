package dev.mnistpipeline.preprocess;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.DatasetManifest.Part;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.testing.Deliveries;
import dev.mnistpipeline.stack.testing.ServiceTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The preprocess service alone, in seconds: a raw version in S3 and its {@code dataset.ingested} in, a prepared
 * version and its {@code dataset.prepared} out, once even when redelivered; a bad event is refused with its reason.
 * Its only HTTP surface is health (open) and metrics (the viewer's).
 */
@QuarkusTest
@WithTestResource(value = ServiceTestResource.class, initArgs = {
        @ResourceArg(name = "incoming", value = Topics.Channels.DATASET_INGESTED),
        @ResourceArg(name = "outgoing", value = Topics.Channels.DATASET_PREPARED)})
class PreprocessServiceTest {
    private static final Path SUBSET = Path.of("../data/mnist-subset");

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ObjectStore store;

    @Test
    void onlyHealthIsOpen() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(401);
        given().header("Authorization", "Bearer " + ServiceTestResource.token(Roles.PREDICTOR)).when().get("/q/metrics").then().statusCode(200);
        given().header("Authorization", "Bearer nobody").when().get("/q/metrics").then().statusCode(401);
    }

    @Test
    void aRawVersionBecomesAPreparedOneAnnouncedOnceAndABadEventIsRefused() throws Exception {
        DatasetIngested ingested = storeRawSubset();
        InMemorySink<String> prepared = connector.sink(Topics.Channels.DATASET_PREPARED);
        prepared.clear();

        assertNull(deliver(ingested), "acknowledged");
        assertEquals(1, prepared.received().size());
        DatasetPrepared event = Json.read(prepared.received().get(0).getPayload(), DatasetPrepared.class);
        assertEquals(ingested.datasetId(), event.datasetId());
        assertEquals(ingested.trainCount(), event.trainCount() + event.validationCount(), "train splits into train and validation");
        assertTrue(event.validationCount() > 0 && event.validationCount() < ingested.trainCount() / 5, "a tenth for validation");
        assertEquals(ingested.testCount(), event.testCount());
        assertTrue(event.pixelMean() > 0.05 && event.pixelMean() < 0.3, "MNIST's mean ink, scaled to [0,1]: " + event.pixelMean());
        PreparedManifest manifest = store.getJson(ObjectKeys.preparedManifest(event.preparedId()), PreparedManifest.class);
        assertEquals(event.trainCount(), manifest.trainCount());

        // Redelivered (at-least-once): the work is found done and nothing is announced twice.
        assertNull(deliver(ingested));
        assertEquals(1, prepared.received().size());

        // An event that names another object than its own manifest is refused with the reason, and nothing is made.
        DatasetIngested forged = new DatasetIngested(ingested.datasetId(), ingested.name(), null, ingested.source(),
                "registry/champion.json", ingested.manifestSha256(), ingested.trainCount(), ingested.testCount(), ingested.createdAt());
        Throwable refused = deliver(forged);
        assertTrue(refused != null && refused.getMessage().contains("manifestKey"), String.valueOf(refused));
        Throwable unreadable = Deliveries.deliver(connector, Topics.Channels.DATASET_INGESTED, "{not json").get(30, TimeUnit.SECONDS);
        assertTrue(unreadable != null, "unreadable JSON is refused");
        assertEquals(1, prepared.received().size());
    }

    private Throwable deliver(DatasetIngested event) throws Exception {
        return Deliveries.deliver(connector, Topics.Channels.DATASET_INGESTED, Json.write(event)).get(120, TimeUnit.SECONDS);
    }

    /** The committed MNIST subset as ingest stores a version: content-addressed parts, then the manifest. */
    private DatasetIngested storeRawSubset() throws Exception {
        Part train = part("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
        Part test = part("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        String datasetId = Sha256.shortId("ds", train.imagesSha256() + test.imagesSha256());
        DatasetManifest manifest = new DatasetManifest(datasetId, "mnist", null, "test", List.of(train), List.of(test),
                train.count(), test.count(), Instant.now());
        return manifest.announcement(store.putJson(ObjectKeys.datasetManifest(datasetId), manifest));
    }

    private Part part(String images, String labels) throws Exception {
        byte[] imageIdx = Idx.gunzipIfNeeded(Files.readAllBytes(SUBSET.resolve(images)), images);
        byte[] labelIdx = Idx.gunzipIfNeeded(Files.readAllBytes(SUBSET.resolve(labels)), labels);
        String imagesSha = Sha256.hex(imageIdx);
        String labelsSha = Sha256.hex(labelIdx);
        store.put(ObjectKeys.rawBlob(imagesSha), imageIdx, "application/octet-stream");
        store.put(ObjectKeys.rawBlob(labelsSha), labelIdx, "application/octet-stream");
        return new Part(ObjectKeys.rawBlob(imagesSha), imagesSha, ObjectKeys.rawBlob(labelsSha), labelsSha,
                Idx.readLabels(labelIdx, labels).length, "test");
    }
}
