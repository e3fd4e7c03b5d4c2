package dev.mnistpipeline.e2e;

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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dead letters a user can act on, with the launcher run as a process: a sample for a dataset that does not exist
 * yet is dead-lettered with the reason; {@code ./pipeline dlq list} shows it; once the dataset exists,
 * {@code ./pipeline dlq replay} puts it back and it lands in a new version; replaying again sends nothing. A second
 * letter of the same source record (what a redelivery after a rebalance writes) is listed as a repeat and not replayed.
 */
class DeadLetterReplayTest {
    static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void aDeadLetterIsListedAndReplayedOnceItsCauseIsFixed(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of("ingest-service",
                Map.of("PIPELINE_SAMPLES_BATCH_SIZE", "1", "PIPELINE_SAMPLES_MAX_WAIT", "1s"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env).start("ingest-service");
             EventStream events = new EventStream(infra.bootstrapServers())) {
            String bootstrap = infra.bootstrapServers();
            EndToEndScenario.resend(infra.kafka(), EndToEndScenario.sample("letters", "early-bird", 3, new byte[Idx.PIXELS]));
            // The sample names its dataset in the payload; key and dataset differ on purpose.
            EventStream.Event letter = events.await(Topics.deadLetter(Topics.SAMPLES_SUBMITTED), e -> "letters".equals(e.key()), WAIT);
            // The same letter again, headers and all: the sample dead-lettered twice, as after a rebalance.
            EndToEndScenario.resend(infra.kafka(), letter);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (events.all(Topics.deadLetter(Topics.SAMPLES_SUBMITTED)).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            events.acceptDeadLetters();

            String listed = cli(layout, "dlq", "list", Topics.SAMPLES_SUBMITTED, "--bootstrap", bootstrap);
            assertTrue(listed.contains("samples.submitted.dlq (1) and 1 repeat(s)"), listed);
            assertTrue(listed.contains("[repeat of samples.submitted/"), listed);
            assertTrue(listed.contains("letters") && listed.contains("no dataset named 'letters'"), listed);

            String baseId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets", Json.write(Map.of(
                    "source", EndToEndScenario.SUBSET.toString(), "name", "letters"))).requireSuccess("ingest").body())
                    .get("datasetId").asText();
            String replayed = cli(layout, "dlq", "replay", Topics.SAMPLES_SUBMITTED, "--bootstrap", bootstrap);
            assertTrue(replayed.contains("replayed 1 record(s)"), replayed);
            var child = Json.tree(events.await(Topics.DATASET_INGESTED,
                    e -> baseId.equals(Json.tree(e.value()).path("parentId").asText()), WAIT).value());
            assertEquals(6001, child.get("trainCount").asInt());

            String again = cli(layout, "dlq", "replay", Topics.SAMPLES_SUBMITTED, "--bootstrap", bootstrap);
            assertTrue(again.contains("replayed 0 record(s)"), again);
            assertTrue(cli(layout, "dlq", "list", Topics.SAMPLES_SUBMITTED, "--bootstrap", bootstrap).contains("[replayed]"));
            String refused = cli(layout, "dlq", "list", "no.such.topic", "--bootstrap", bootstrap);
            assertTrue(refused.contains("has no dead-letter topic"), refused);
        }
    }

    /** Runs {@code ./pipeline}'s launcher jar as its own process; returns what it printed. */
    static String cli(Layout layout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dpipeline.home=" + layout.root(), "-jar", layout.cliJar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the launcher did not finish: " + out);
        return out;
    }
}
