package dev.mnistpipeline.stack.containers;

import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.KafkaAccessControl;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.LocalKafka;
import dev.mnistpipeline.stack.Ports;
import dev.mnistpipeline.stack.StorageKey;
import dev.mnistpipeline.stack.Waiting;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import org.apache.kafka.clients.admin.Admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kafka and S3 as containers from the images {@code ./pipeline images} builds, on a network of their own: the
 * services reach them by name on that network ({@code kafka:19092}, {@code http://s3:9000}), this machine on
 * 127.0.0.1. Secure as {@code ./pipeline up} and deploy/ are: every principal of {@link ServiceAccess} has its own
 * SCRAM user with ACLs on the broker and its own S3 key limited to its key prefixes; only the admin (topic creation,
 * watching, DLQ replay) may do everything, over SASL/PLAIN on a listener of its own. Writes nothing but tmpfs: the
 * data ends with the containers.
 */
public final class ContainerInfrastructure implements Infrastructure {
    static final String KAFKA = "kafka";
    static final String S3 = "s3";
    /** Services on the container network (SCRAM). */
    static final int KAFKA_SERVICES_PORT = 19092;
    /** Clients on this machine (SCRAM): publishers, the inference client. */
    static final int KAFKA_CLIENTS_PORT = 9092;
    /** The admin on this machine (PLAIN). */
    static final int KAFKA_ADMIN_PORT = 9094;
    /** The broker to itself, and the controller: inside the container only. */
    static final int KAFKA_BROKER_PORT = 9095;
    static final int KAFKA_CONTROLLER_PORT = 9093;
    static final int S3_PORT = 9000;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final ContainerEngine engine;
    private final String stack;
    private final String network;
    private final int kafkaHostPort;
    private final int s3HostPort;
    private final int adminHostPort = Ports.free();
    private final String brokerPassword = LocalInfrastructure.randomKey(20);
    private final String adminPassword = LocalInfrastructure.randomKey(20);
    private final StorageKey admin = StorageKey.generate();
    private final Map<String, String> kafkaPasswords = new LinkedHashMap<>();
    private final Map<String, StorageKey> serviceKeys = new LinkedHashMap<>();
    private final Map<String, String> containers = new LinkedHashMap<>();

    private ContainerInfrastructure(ContainerEngine engine, String stack, int kafkaHostPort, int s3HostPort) {
        this.engine = engine;
        this.stack = stack;
        this.network = "mnist-pipeline-" + stack;
        this.kafkaHostPort = kafkaHostPort;
        this.s3HostPort = s3HostPort;
        for (ServiceAccess access : ServiceAccess.ALL) {
            kafkaPasswords.put(access.principal(), LocalInfrastructure.randomKey(20));
            if (access.usesStorage()) {
                serviceKeys.put(access.principal(), StorageKey.generate());
            }
        }
    }

    /**
     * Creates the stack's network, starts Kafka and S3 from {@code images}, waits until both answer and creates the
     * bucket (as deploy/'s setup Job does: the services may not).
     */
    public static ContainerInfrastructure start(ContainerEngine engine, ContainerImages images, String stack,
                                                int kafkaHostPort, int s3HostPort) {
        for (String image : List.of(images.kafka(), images.s3())) {
            if (!engine.hasImage(image)) {
                throw new IllegalStateException(image + " is not built: run ./pipeline images");
            }
        }
        ContainerInfrastructure infra = new ContainerInfrastructure(engine, stack, kafkaHostPort, s3HostPort);
        try {
            engine.createNetwork(infra.network, stack);
            infra.containers.put(KAFKA, engine.run(ContainerSpec.confined(stack + "-" + KAFKA, images.kafka(), infra.network, KAFKA,
                    Map.of("KAFKA_SERVER_PROPERTIES", infra.kafkaProperties()),
                    "/var/lib/kafka", Map.of(KAFKA_CLIENTS_PORT, kafkaHostPort, KAFKA_ADMIN_PORT, infra.adminHostPort)), stack));
            infra.containers.put(S3, engine.run(ContainerSpec.confined(stack + "-" + S3, images.s3(), infra.network, S3,
                    Map.of("S3_ACCESS_KEY", infra.admin.accessKey(), "S3_SECRET_KEY", infra.admin.secretKey(),
                            "S3_SERVICE_KEYS", StorageKey.serviceKeysEnv(infra.serviceKeys)),
                    "/var/lib/s3", Map.of(S3_PORT, s3HostPort)), stack));
            infra.awaitKafka();
            try (Admin a = Admin.create(infra.kafka().config())) {
                KafkaAccessControl.apply(a, infra.kafkaPasswords);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            infra.awaitBucket();
            return infra;
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
    }

    /** The broker's configuration: the embedded stack's secure node, with a listener per audience. */
    private String kafkaProperties() {
        List<String> lines = new ArrayList<>(List.of(
                "listeners=SERVICES://0.0.0.0:" + KAFKA_SERVICES_PORT + ",CLIENTS://0.0.0.0:" + KAFKA_CLIENTS_PORT
                        + ",ADMIN://0.0.0.0:" + KAFKA_ADMIN_PORT + ",BROKER://127.0.0.1:" + KAFKA_BROKER_PORT
                        + ",CONTROLLER://127.0.0.1:" + KAFKA_CONTROLLER_PORT,
                "advertised.listeners=SERVICES://" + KAFKA + ":" + KAFKA_SERVICES_PORT + ",CLIENTS://127.0.0.1:" + kafkaHostPort
                        + ",ADMIN://127.0.0.1:" + adminHostPort + ",BROKER://127.0.0.1:" + KAFKA_BROKER_PORT));
        lines.addAll(LocalKafka.secureLines(List.of("SERVICES", "CLIENTS"), List.of("ADMIN", "BROKER"), "BROKER",
                brokerPassword, adminPassword));
        return LocalKafka.serverProperties("/var/lib/kafka/logs", KAFKA_CONTROLLER_PORT, lines);
    }

    private void awaitKafka() {
        Map<String, Object> config = new LinkedHashMap<>(kafka().config());
        config.put("request.timeout.ms", 3000);
        config.put("default.api.timeout.ms", 5000);
        String id = containers.get(KAFKA);
        Waiting.until("Kafka container", START_TIMEOUT, () -> engine.isRunning(id), () -> {
            try (Admin a = Admin.create(config)) {
                a.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return true;
            }
        }, () -> engine.logs(id, 40));
    }

    private void awaitBucket() {
        String id = containers.get(S3);
        Waiting.until("S3 container", START_TIMEOUT, () -> engine.isRunning(id), () -> {
            try (ObjectStore store = new ObjectStore(new StorageConfig(s3Endpoint(), accessKey(), secretKey(), StorageConfig.DEFAULT_BUCKET))) {
                store.ensureBucket();
                return true;
            }
        }, () -> engine.logs(id, 40));
    }

    /** The network the stack's containers share. */
    public String network() {
        return network;
    }

    public String stackName() {
        return stack;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaHostPort;
    }

    @Override
    public String s3Endpoint() {
        return "http://127.0.0.1:" + s3HostPort;
    }

    @Override
    public String accessKey() {
        return admin.accessKey();
    }

    @Override
    public String secretKey() {
        return admin.secretKey();
    }

    /** The admin, over SASL/PLAIN on its own listener. */
    @Override
    public KafkaEndpoint kafka() {
        return KafkaEndpoint.sasl("127.0.0.1:" + adminHostPort, KafkaEndpoint.PLAIN, ServiceAccess.ADMIN, adminPassword);
    }

    /** The principal's SCRAM user, from this machine. */
    @Override
    public KafkaEndpoint kafka(String principal) {
        return KafkaEndpoint.sasl(bootstrapServers(), KafkaEndpoint.SCRAM, principal, password(principal));
    }

    private String password(String principal) {
        String password = kafkaPasswords.get(principal);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka user " + principal + " (see ServiceAccess)");
        }
        return password;
    }

    @Override
    public StorageKey storageKey(String principal) {
        StorageKey key = serviceKeys.get(principal);
        if (key == null) {
            throw new IllegalArgumentException("no S3 key for " + principal + " (see ServiceAccess)");
        }
        return key;
    }

    /** What a service container is started with: the broker and S3 by their names on the network, its own user and key. */
    @Override
    public Map<String, String> serviceEnv(String service) {
        StorageKey key = storageKey(service);
        Map<String, String> env = new LinkedHashMap<>(
                KafkaEndpoint.sasl(KAFKA + ":" + KAFKA_SERVICES_PORT, KafkaEndpoint.SCRAM, service, password(service)).env());
        env.put("PIPELINE_STORAGE_ENDPOINT", "http://" + S3 + ":" + S3_PORT);
        env.put("PIPELINE_STORAGE_ACCESS_KEY", key.accessKey());
        env.put("PIPELINE_STORAGE_SECRET_KEY", key.secretKey());
        return env;
    }

    /** Removes the broker, S3 and the network, with their data. */
    @Override
    public void close() {
        containers.values().forEach(engine::remove);
        containers.clear();
        engine.removeStack(stack);
    }
}
