package dev.mnistpipeline.e2e;

import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two ingest-service instances share the partitions of {@code samples.submitted} and extend one dataset together:
 * samples keyed by sample spread over the partitions, both instances store batches, and the dataset's newest version
 * holds every distinct sample exactly once, also the ones published twice under other ids (so on other partitions,
 * to the other instance).
 */
class IngestScaleOutTest {
    static final int SAMPLES = 600;
    static final int REPEATED = 100;

    @Test
    void twoInstancesShareTheSamplesOfOneDatasetAndStoreEachOnce(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of("ingest-service", Map.of("PIPELINE_SAMPLES_BATCH_SIZE", "40",
                "PIPELINE_SAMPLES_MAX_WAIT", "1s"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env).start("ingest-service");
             EventStream events = new EventStream(infra.bootstrapServers(), List.of(Topics.DATASET_INGESTED));
             Admin admin = Admin.create(infra.kafka().config());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            String base = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets", Json.write(Map.of(
                    "source", EndToEndScenario.SUBSET.toString(), "name", "mnist"))).requireSuccess("ingest").body()).get("datasetId").asText();
            int baseCount = store.getJson(ObjectKeys.datasetManifest(base), DatasetManifest.class).trainCount();
            ManagedProcess second = stack.startInstance("ingest-service", "ingest-service-2");
            PreprocessScaleOutTest.awaitGroup(admin, "ingest-service", Topics.SAMPLES_SUBMITTED, 2);

            Properties p = infra.kafka(ServiceAccess.SAMPLES_PUBLISHER).properties();
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                for (int n = 0; n < SAMPLES + REPEATED; n++) {
                    // the last REPEATED are samples 0.. again, under other ids
                    SampleSubmitted sample = new SampleSubmitted("s-" + n, (n % SAMPLES) % 10,
                            Base64.getEncoder().encodeToString(pixels(n % SAMPLES)), null, "mnist");
                    producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, sample.key(), Json.write(sample)));
                }
            }
            events.await(Topics.DATASET_INGESTED, e -> Json.tree(e.value()).path("trainCount").asInt() >= baseCount + SAMPLES,
                    Duration.ofMinutes(2));
            Thread.sleep(3000); // a batch that would wrongly add a repeated sample has time to land

            String newest = store.findText(ObjectKeys.latestDataset("mnist")).orElseThrow();
            DatasetManifest version = store.getJson(ObjectKeys.datasetManifest(newest), DatasetManifest.class);
            assertEquals(baseCount + SAMPLES, version.trainCount(), "every distinct sample once, the repeated ones not again");
            Map<Integer, Integer> seen = new HashMap<>();
            for (DatasetManifest.Part part : version.train()) {
                if (DatasetManifest.SAMPLES.equals(part.origin())) {
                    byte[] px = Idx.readImages(store.getVerified(part.imagesKey(), part.imagesSha256()), "images").pixels();
                    for (int i = 0; i < part.count(); i++) {
                        seen.merge((px[i * Idx.PIXELS] & 0xff) | (px[i * Idx.PIXELS + 1] & 0xff) << 8, 1, Integer::sum);
                    }
                }
            }
            assertEquals(SAMPLES, seen.size());
            assertTrue(seen.values().stream().allMatch(c -> c == 1), seen.toString());
            int first = batches(stack.process("ingest-service")), other = batches(second);
            assertTrue(first > 0 && other > 0, "both instances store batches: " + first + " and " + other);
        }
    }

    /** Sample n: its number in its first two pixels. */
    private static byte[] pixels(int n) {
        byte[] px = new byte[Idx.PIXELS];
        px[0] = (byte) (n & 0xff);
        px[1] = (byte) ((n >> 8) & 0xff);
        px[400] = (byte) 200;
        return px;
    }

    private static int batches(ManagedProcess p) throws Exception {
        return (int) Files.readAllLines(p.log()).stream().filter(l -> l.contains("Batch of") && l.contains("dataset ds-")).count();
    }
}
