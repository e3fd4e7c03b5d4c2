package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Arrays;

/**
 * Two preprocess-service instances in one consumer group over a 3-partition topic, on the embedded broker: both
 * receive work, every dataset is prepared exactly once, and the flow goes on when one instance is stopped.
 */
class PreprocessScaleOutTest {
    private static final String GROUP = "preprocess-service";

    @Test
    void twoInstancesShareWorkAndSurviveOneStopping(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        byte[] trainImages = Files.readAllBytes(EndToEndScenario.SUBSET.resolve("train-images-idx3-ubyte.gz"));
        byte[] trainLabels = Files.readAllBytes(EndToEndScenario.SUBSET.resolve("train-labels-idx1-ubyte.gz"));
        Idx.Images images = Idx.readImages(trainImages, "train");
        byte[] labels = Idx.readLabels(trainLabels, "train");
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), Map.of("ingest-service",
                     Map.of("PIPELINE_INGEST_ALLOWED_DIRS", workDir.toRealPath().toString())))
                     .start("ingest-service", "preprocess-service");
             EventStream events = new EventStream(infra.bootstrapServers());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()))) {
            ManagedProcess second = stack.startInstance("preprocess-service", "preprocess-service-2");
            awaitGroup(admin, GROUP, Topics.DATASET_INGESTED, 2);

            // Distinct small datasets until their keys cover all three partitions, so both members must get work.
            List<String> datasets = new ArrayList<>();
            Set<Integer> partitions = new HashSet<>();
            for (int variant = 0; partitions.size() < PipelineStack.PARTITIONS || datasets.size() < 4; variant++) {
                assertTrue(variant < 30, "30 datasets did not cover all partitions");
                String id = ingestVariant(stack, workDir, images, labels, 300 + variant);
                datasets.add(id);
                partitions.add(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PipelineStack.PARTITIONS);
            }
            awaitPreparedOnce(events, datasets);
            int first = countPrepared(stack.process("preprocess-service"));
            int other = countPrepared(second);
            assertTrue(first > 0 && other > 0, "both instances must prepare datasets: " + first + " and " + other);
            assertEquals(datasets.size(), first + other, "each dataset prepared by exactly one instance");

            // Stop one instance: the group rebalances and the survivor takes all partitions.
            second.close();
            awaitGroup(admin, GROUP, Topics.DATASET_INGESTED, 1);
            List<String> more = new ArrayList<>();
            for (int variant = 100; more.size() < 3; variant++) {
                more.add(ingestVariant(stack, workDir, images, labels, 300 + variant));
            }
            awaitPreparedOnce(events, more);
            assertEquals(first + more.size(), countPrepared(stack.process("preprocess-service")));
        }
    }

    /** The first {@code count} training images as a dataset of its own (content differs, so does the id). */
    private static String ingestVariant(PipelineStack stack, Path workDir, Idx.Images images, byte[] labels, int count) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve("variant-" + count));
        Files.write(dir.resolve("train-images-idx3-ubyte"), Idx.writeImages(count, Arrays.copyOf(images.pixels(), count * Idx.PIXELS)));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.writeLabels(Arrays.copyOf(labels, count)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), Idx.writeImages(50, Arrays.copyOf(images.pixels(), 50 * Idx.PIXELS)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), Idx.writeLabels(Arrays.copyOf(labels, 50)));
        Http.Reply reply = Http.postJson(stack.url("ingest-service") + "/datasets", Json.write(Map.of("source", dir.toString()))).requireSuccess("ingest");
        return Json.tree(reply.body()).get("datasetId").asText();
    }

    private static void awaitPreparedOnce(EventStream events, List<String> datasets) throws Exception {
        for (String id : datasets) {
            events.await(Topics.DATASET_PREPARED, e -> id.equals(e.key()), Duration.ofMinutes(2));
        }
        for (String id : datasets) {
            assertEquals(1, events.all(Topics.DATASET_PREPARED).stream().filter(e -> id.equals(e.key())).count(), id);
        }
    }

    private static int countPrepared(ManagedProcess p) throws Exception {
        return (int) Files.readAllLines(p.log()).stream().filter(l -> l.contains("DatasetPreparer") && l.contains("Prepared pp-")).count();
    }

    /** Waits until {@code group} has {@code members} members, each with partitions of {@code topic} assigned. */
    static void awaitGroup(Admin admin, String group, String topic, int members) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        ConsumerGroupDescription last = null;
        while (System.nanoTime() < deadline) {
            last = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            List<MemberDescription> active = last.members().stream()
                    .filter(m -> m.assignment().topicPartitions().stream().anyMatch(tp -> tp.topic().equals(topic))).toList();
            if (last.members().size() == members && active.size() == members) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("group " + group + " did not settle at " + members + " members: " + last);
    }
}
