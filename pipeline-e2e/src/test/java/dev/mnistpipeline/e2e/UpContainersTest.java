package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.stack.containers.ContainerEngine;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.messaging.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The README's {@code ./pipeline up --containers} and {@code ./pipeline down}, as a user runs them: the stack comes
 * up from the images on the ports of {@code up}, {@code stack.env} reaches it (the admin's Kafka, the tokens), and
 * {@code down} leaves no container or network behind.
 */
@Testcontainers(disabledWithoutDocker = true)
class UpContainersTest {
    private static final Layout LAYOUT = new Layout(Path.of("..").toAbsolutePath().normalize());

    @Test
    void upWithContainersServesAndDownRemovesEverything() throws Exception {
        Path dir = LAYOUT.stateDir().resolve("up");
        assumeFalse(Files.exists(dir.resolve("pids")) || Files.exists(dir.resolve("containers")),
                "a stack of this checkout is up (" + dir + "); this test would need its ports");
        ImageBuild.ensure(LAYOUT);
        ContainerEngine engine = ContainerEngine.connect();
        try {
            CliProcess.Result up = CliProcess.run(LAYOUT, Map.of(), "up", "--containers");
            assertEquals(0, up.exitCode(), up.out() + up.err());
            assertTrue(up.out().contains("Start to ready: ingest-service"), up.out());

            Map<String, String> env = StackClient.readEnvFile(dir.resolve("stack.env"));
            HttpClient http = HttpClient.newHttpClient();
            for (String url : new String[]{env.get("PIPELINE_INGEST_URL"), env.get("PIPELINE_TRAINER_URL"), env.get("PIPELINE_EVALUATOR_URL")}) {
                assertTrue(url.startsWith("http://127.0.0.1:808"), url);
                assertEquals(200, status(http, url + "/q/health/ready", null), url);
            }
            String evaluator = env.get("PIPELINE_EVALUATOR_URL");
            assertEquals(401, status(http, evaluator + "/models", null), "no token, no answer");
            assertEquals(200, status(http, evaluator + "/models", env.get("PIPELINE_TOKEN_VIEWER")));
            try (Admin admin = Admin.create(KafkaEndpoint.fromEnv(env).config())) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertTrue(topics.containsAll(Topics.ALL), "the stack's topics, seen by stack.env's admin: " + topics);
            }

            CliProcess.Result down = CliProcess.run(LAYOUT, Map.of(), "down");
            assertEquals(0, down.exitCode(), down.out() + down.err());
            assertTrue(down.out().contains("Removed 6 containers"), down.out());
            assertFalse(Files.exists(dir.resolve("containers")));
            assertEquals(0, engine.removeStack("up"), "down left containers of the stack");
        } finally {
            engine.removeStack("up");
            Files.deleteIfExists(dir.resolve("containers"));
        }
    }

    private static int status(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
