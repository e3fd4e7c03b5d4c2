package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.Owner;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.stack.Ports;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.access.ServiceAccess;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.HashMap;

/** {@code ./pipeline up}: Kafka, S3 and the four services on fixed ports, left running; {@code stack.env} for clients. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start Kafka (9092), S3 (9000) and the services (8081-8084), and leave them running: authenticated"
                + " Kafka (SCRAM, ACLs), a key per service on S3 and API tokens, written to .pipeline/up/stack.env.")
final class UpCommand implements Callable<Integer> {
    @Option(names = "--insecure", description = "plaintext Kafka without ACLs and one S3 key for everything (logged)")
    boolean insecure;
    @Option(names = "--secure", description = "the default; accepted for scripts that say it")
    boolean secure;
    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "the address the services listen on [127.0.0.1: this machine only]; 0.0.0.0 for every interface")
    String bind = PipelineStack.DEFAULT_BIND;
    @Option(names = "--containers", description = "run Kafka, S3 and the services as containers from the images of"
            + " './pipeline images' (Podman or Docker), each confined as its manifest in deploy/ says")
    boolean containers;

    @Override
    public Integer call() throws Exception {
        if (insecure && secure) {
            throw new IllegalArgumentException("--secure and --insecure exclude each other");
        }
        if (containers) {
            if (!PipelineStack.DEFAULT_BIND.equals(bind)) {
                throw new IllegalArgumentException("--containers publishes every port on 127.0.0.1 only; --bind does not apply");
            }
            return ContainersUp.up();
        }
        return up(!insecure, bind);
    }

    /** Ports of 'up', documented in the README. */
    static final Map<String, Integer> UP_PORTS = Map.of("ingest-service", 8081, "preprocess-service", 8082,
            "trainer-service", 8083, "evaluator-service", 8084);
    static final int UP_KAFKA_PORT = 9092;
    static final int UP_S3_PORT = 9000;

    static int up(boolean secure, String bind) throws Exception {
        Layout layout = Layout.detect();
        Path dir = layout.stateDir().resolve("up");
        requireNothingUp(dir);
        Ports.requireFree(upPorts());
        if (!secure) {
            System.out.println("WARNING: --insecure: Kafka accepts any client without credentials and every service shares"
                    + " one S3 key with full access. Use it only on a machine nobody else uses.");
        }
        LocalInfrastructure infra = new LocalInfrastructure(layout, dir, UP_KAFKA_PORT, UP_S3_PORT, secure);
        if (!PipelineStack.DEFAULT_BIND.equals(bind)) {
            System.out.println("The services listen on " + bind + " (--bind): other machines may reach them; every endpoint but health still needs a token.");
        }
        Map<String, Map<String, String>> env = new HashMap<>();
        UP_PORTS.keySet().forEach(service -> env.put(service, Map.of("QUARKUS_HTTP_HOST", bind)));
        PipelineStack stack = new PipelineStack(layout, infra, dir.resolve("logs"), UP_PORTS, env);
        try {
            stack.start();
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
        List<String> pids = new ArrayList<>();
        // Each with its start time, so that 'down' stops only these processes, never one that reused a PID later.
        infra.processes().forEach(p -> pids.add(StackProcesses.line(p.pid())));
        stack.processes().values().forEach(p -> pids.add(StackProcesses.line(p.pid())));
        Files.write(dir.resolve("pids"), pids);
        writeClientFiles(dir, infra, stack);
        printStack(layout, dir, infra, stack, secure ? "   SASL/SCRAM-SHA-512 and ACLs; client configs in "
                + layout.root().relativize(dir) + "/kafka-*.properties" : "");
        return 0;
    }

    /** Every port 'up' listens on, named for the message when one is busy. */
    static Map<String, Integer> upPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("Kafka", UP_KAFKA_PORT);
        ports.put("S3", UP_S3_PORT);
        ports.putAll(new TreeMap<>(UP_PORTS));
        return ports;
    }

    static void requireNothingUp(Path dir) {
        for (String marker : List.of("pids", ContainersUp.MARKER)) {
            if (Files.exists(dir.resolve(marker))) {
                throw new IllegalStateException("a stack is already up (" + dir.resolve(marker) + "); run ./pipeline down first");
            }
        }
    }

    static void printStack(Layout layout, Path dir, Infrastructure infra, ServiceStack stack, String kafkaNote) {
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
                """, layout.root().relativize(dir), infra.bootstrapServers(), kafkaNote, infra.s3Endpoint(),
                layout.root().relativize(dir.resolve("stack.env")), stack.url("ingest-service"), stack.url("preprocess-service"),
                stack.url("trainer-service"), stack.url("evaluator-service"), stack.url("evaluator-service"));
        StringBuilder ready = new StringBuilder("Start to ready:");
        stack.startupTimes().forEach((service, time) -> ready.append(String.format(" %s %.1f s;", service, time.toMillis() / 1000.0)));
        System.out.println(ready.substring(0, ready.length() - 1));
    }

    /**
     * {@code stack.env}: the admin's Kafka endpoint and S3 key (the CLI's), the samples publisher's and the inference
     * client's Kafka endpoints ({@code SAMPLES_} and {@code INFERENCE_} prefixes) and the API tokens; plus Kafka client config files for Kafka's own tools
     * ({@code kafka-console-producer --producer.config kafka-samples-publisher.properties}). Owner-only.
     */
    static void writeClientFiles(Path dir, Infrastructure infra, ServiceStack stack) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(infra.kafka().env());
        KafkaEndpoint samples = infra.kafka(ServiceAccess.SAMPLES_PUBLISHER);
        samples.env().forEach((name, value) -> env.put("SAMPLES_" + name, value));
        KafkaEndpoint inference = infra.kafka(ServiceAccess.INFERENCE_CLIENT);
        inference.env().forEach((name, value) -> env.put("INFERENCE_" + name, value));
        env.put("PIPELINE_INGEST_URL", stack.url("ingest-service"));
        env.put("PIPELINE_TRAINER_URL", stack.url("trainer-service"));
        env.put("PIPELINE_EVALUATOR_URL", stack.url("evaluator-service"));
        env.put("PIPELINE_STORAGE_ENDPOINT", infra.s3Endpoint());
        env.put("PIPELINE_STORAGE_ACCESS_KEY", infra.accessKey());
        env.put("PIPELINE_STORAGE_SECRET_KEY", infra.secretKey());
        env.putAll(stack.tokens().clientEnv());
        List<String> lines = new ArrayList<>();
        env.forEach((name, value) -> lines.add(StackClient.envLine(name, value)));
        writeOwnerOnly(dir.resolve("stack.env"), String.join("\n", lines) + "\n");
        if (infra.kafka().authenticated()) {
            writeOwnerOnly(dir.resolve("kafka-admin.properties"), clientProperties(infra.kafka()));
            writeOwnerOnly(dir.resolve("kafka-samples-publisher.properties"), clientProperties(samples));
            writeOwnerOnly(dir.resolve("kafka-inference-client.properties"), clientProperties(inference));
        }
    }

    private static String clientProperties(KafkaEndpoint kafka) {
        StringBuilder text = new StringBuilder();
        kafka.properties().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return text.toString();
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        Owner.only(file);
        Files.writeString(file, text);
    }
}
