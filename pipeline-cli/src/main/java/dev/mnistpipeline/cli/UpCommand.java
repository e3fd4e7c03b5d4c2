package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.client.KafkaEndpoint;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import dev.mnistpipeline.cli.stack.Owner;
import dev.mnistpipeline.cli.stack.PipelineStack;
import dev.mnistpipeline.common.access.ServiceAccess;

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

    /**
     * @param args {@code --insecure}: plaintext Kafka without ACLs and one S3 key for everything (logged; for
     *             debugging with tools that cannot authenticate). {@code --secure}, the default, is accepted too.
     */
    static int up(List<String> args) throws Exception {
        for (String arg : args) {
            if (!arg.equals("--secure") && !arg.equals("--insecure")) {
                throw new IllegalArgumentException("unexpected '" + arg + "'; up takes --secure (the default) or --insecure");
            }
        }
        boolean secure = !args.contains("--insecure");
        Layout layout = Layout.detect();
        Path dir = layout.stateDir().resolve("up");
        if (Files.exists(dir.resolve("pids"))) {
            throw new IllegalStateException("a stack is already up (" + dir.resolve("pids") + "); run ./pipeline down first");
        }
        if (!secure) {
            System.out.println("WARNING: --insecure: Kafka accepts any client without credentials and every service shares"
                    + " one S3 key with full access. Use it only on a machine nobody else uses.");
        }
        LocalInfrastructure infra = new LocalInfrastructure(layout, dir, UP_KAFKA_PORT, UP_S3_PORT, secure);
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
        writeClientFiles(dir, infra, stack);
        System.out.printf("""
                Stack is up (logs and data in %s):
                  Kafka       %s%s
                  S3          %s   (credentials and API tokens per role in %s)
                  ingest      %s   POST /datasets
                  preprocess  %s
                  trainer     %s   POST /trainings
                  evaluator   %s   GET /evaluations/{id}, GET /models, POST /predict
                  dashboard   %s/   live curves, runs, registry, confusion matrix, draw a digit
                Every endpoint needs 'Authorization: Bearer <token>': PIPELINE_TOKEN_VIEWER (read, dashboard),
                PIPELINE_TOKEN_PREDICTOR (and POST /predict), PIPELINE_TOKEN_OPERATOR (and ingest, train).
                Stop it with ./pipeline down
                """, layout.root().relativize(dir), infra.bootstrapServers(),
                secure ? "   SASL/SCRAM-SHA-512 and ACLs; client configs in " + layout.root().relativize(dir) + "/kafka-*.properties" : "",
                infra.s3Endpoint(),
                layout.root().relativize(dir.resolve("stack.env")), stack.url("ingest-service"), stack.url("preprocess-service"),
                stack.url("trainer-service"), stack.url("evaluator-service"), stack.url("evaluator-service"));
        return 0;
    }

    /**
     * {@code stack.env}: the admin's Kafka endpoint and S3 key (the CLI's), the samples publisher's Kafka endpoint
     * ({@code SAMPLES_} prefix) and the API tokens; plus Kafka client config files for Kafka's own tools
     * ({@code kafka-console-producer --producer.config kafka-samples-publisher.properties}). Owner-only.
     */
    private static void writeClientFiles(Path dir, LocalInfrastructure infra, PipelineStack stack) throws java.io.IOException {
        List<String> env = new ArrayList<>();
        infra.kafka().env().forEach((name, value) -> env.add(name + "=" + value));
        KafkaEndpoint samples = infra.kafka(ServiceAccess.SAMPLES_PUBLISHER);
        samples.env().forEach((name, value) -> env.add("SAMPLES_" + name + "=" + value));
        env.add("PIPELINE_STORAGE_ENDPOINT=" + infra.s3Endpoint());
        env.add("PIPELINE_STORAGE_ACCESS_KEY=" + infra.accessKey());
        env.add("PIPELINE_STORAGE_SECRET_KEY=" + infra.secretKey());
        stack.tokens().clientEnv().forEach((name, token) -> env.add(name + "=" + token));
        writeOwnerOnly(dir.resolve("stack.env"), String.join("\n", env) + "\n");
        if (infra.secure()) {
            writeOwnerOnly(dir.resolve("kafka-admin.properties"), clientProperties(infra.kafka()));
            writeOwnerOnly(dir.resolve("kafka-samples-publisher.properties"), clientProperties(samples));
        }
    }

    private static String clientProperties(KafkaEndpoint kafka) {
        StringBuilder text = new StringBuilder();
        kafka.properties().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return text.toString();
    }

    private static void writeOwnerOnly(Path file, String text) throws java.io.IOException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        Owner.only(file);
        Files.writeString(file, text);
    }
}
