package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import dev.mnistpipeline.cli.stack.PipelineStack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code ./pipeline up}: Kafka, S3 and the four services on fixed ports, left running; {@code stack.env} for clients. */
final class UpCommand {
    /** Ports of 'up', documented in the README. */
    static final Map<String, Integer> UP_PORTS = Map.of("ingest-service", 8081, "preprocess-service", 8082,
            "trainer-service", 8083, "evaluator-service", 8084);
    static final int UP_KAFKA_PORT = 9092;
    static final int UP_S3_PORT = 9000;

    private UpCommand() {
    }

    static int up() throws Exception {
        Layout layout = Layout.detect();
        Path dir = layout.stateDir().resolve("up");
        if (Files.exists(dir.resolve("pids"))) {
            throw new IllegalStateException("a stack is already up (" + dir.resolve("pids") + "); run ./pipeline down first");
        }
        String access = LocalInfrastructure.randomKey(10), secret = LocalInfrastructure.randomKey(20);
        LocalInfrastructure infra = new LocalInfrastructure(layout, dir, UP_KAFKA_PORT, UP_S3_PORT, access, secret);
        PipelineStack stack = new PipelineStack(layout, infra, dir.resolve("logs"), UP_PORTS, Map.of());
        try {
            stack.start();
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
        List<String> pids = new ArrayList<>();
        infra.processes().forEach(p -> pids.add(Long.toString(p.pid())));
        stack.processes().values().forEach(p -> pids.add(Long.toString(p.pid())));
        Files.write(dir.resolve("pids"), pids);
        List<String> env = new ArrayList<>(List.of(
                "KAFKA_BOOTSTRAP_SERVERS=" + infra.bootstrapServers(),
                "PIPELINE_STORAGE_ENDPOINT=" + infra.s3Endpoint(),
                "PIPELINE_STORAGE_ACCESS_KEY=" + access,
                "PIPELINE_STORAGE_SECRET_KEY=" + secret));
        stack.tokens().clientEnv().forEach((name, token) -> env.add(name + "=" + token));
        Path envFile = dir.resolve("stack.env");
        Files.writeString(envFile, String.join("\n", env) + "\n");
        restrictToOwner(envFile);
        System.out.printf("""
                Stack is up (logs and data in %s):
                  Kafka       %s
                  S3          %s   (credentials and API tokens per role in %s)
                  ingest      %s   POST /datasets
                  preprocess  %s
                  trainer     %s   POST /trainings
                  evaluator   %s   GET /evaluations/{id}, GET /models, POST /predict
                  dashboard   %s/   live curves, runs, registry, confusion matrix, draw a digit
                Every endpoint needs 'Authorization: Bearer <token>': PIPELINE_TOKEN_VIEWER (read, dashboard),
                PIPELINE_TOKEN_PREDICTOR (and POST /predict), PIPELINE_TOKEN_OPERATOR (and ingest, train).
                Stop it with ./pipeline down
                """, layout.root().relativize(dir), infra.bootstrapServers(), infra.s3Endpoint(),
                layout.root().relativize(dir.resolve("stack.env")), stack.url("ingest-service"), stack.url("preprocess-service"),
                stack.url("trainer-service"), stack.url("evaluator-service"), stack.url("evaluator-service"));
        return 0;
    }

    /** The file holds credentials: owner read/write only, where the file system has POSIX permissions. */
    private static void restrictToOwner(Path file) throws java.io.IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: left to the directory's permissions
        }
    }

}
