package dev.mnistpipeline.cli.stack;

import dev.mnistpipeline.common.access.ServiceAccess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one process), started as a child
 * process the way it would run on its own: {@code StorageTool format}, then {@code kafka.Kafka}.
 */
public final class LocalKafka {
    private LocalKafka() {
    }

    /** Writes server.properties for a plaintext broker and formats the log directory (first start only). */
    public static Path configure(Path dataDir, int port, int controllerPort) throws IOException {
        return write(dataDir, List.of(
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "auto.create.topics.enable=true"), controllerPort);
    }

    /**
     * A broker that authenticates and authorises every client, as {@code ./pipeline up} runs it: services and
     * publishers connect to {@code clientPort} with SASL/SCRAM-SHA-512 (users and ACLs come from
     * {@link KafkaAccessControl}); the broker itself, the controller and the admin ({@link ServiceAccess#ADMIN}, the
     * only super user besides the broker) use SASL/PLAIN on {@code internalPort}, so no SCRAM user has to exist
     * before the broker starts. Topics are never created implicitly. Nothing listens beyond loopback.
     */
    public static Path configureSecure(Path dataDir, int clientPort, int internalPort, int controllerPort,
                                       String brokerPassword, String adminPassword) throws IOException {
        String plainUsers = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\""
                + brokerPassword + "\" user_broker=\"" + brokerPassword + "\" user_" + ServiceAccess.ADMIN + "=\"" + adminPassword + "\";";
        return write(dataDir, List.of(
                "listeners=CLIENTS://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=CLIENTS://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort,
                "listener.security.protocol.map=CLIENTS:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
                "inter.broker.listener.name=INTERNAL",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "sasl.mechanism.controller.protocol=PLAIN",
                "listener.name.clients.sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.clients.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "listener.name.internal.sasl.enabled.mechanisms=PLAIN",
                "listener.name.internal.plain.sasl.jaas.config=" + plainUsers,
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "listener.name.controller.plain.sasl.jaas.config=" + plainUsers,
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:broker;User:" + ServiceAccess.ADMIN,
                "allow.everyone.if.no.acl.found=false",
                "auto.create.topics.enable=false"), controllerPort);
    }

    private static Path write(Path dataDir, List<String> listenerLines, int controllerPort) throws IOException {
        Layout.ownerOnly(dataDir);
        Path logs = dataDir.resolve("logs");
        Path config = dataDir.resolve("server.properties");
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + logs.toAbsolutePath(),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0"));
        lines.addAll(listenerLines);
        Files.writeString(config, String.join("\n", lines) + "\n");
        Owner.only(config);
        return config;
    }

    /** Whether the log directory holds a formatted broker already (a stack started again after {@code down}). */
    public static boolean isFormatted(Path dataDir) {
        return Files.exists(dataDir.resolve("logs").resolve("meta.properties"));
    }

    /** Arguments for {@code java -cp <cli classpath>} that format the storage, once. */
    public static List<String> formatCommand(Path config) {
        return List.of("kafka.tools.StorageTool", "format", "--ignore-formatted",
                "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22), "-c", config.toString());
    }

    public static List<String> serverCommand(Path config) {
        return List.of("kafka.Kafka", config.toString());
    }
}
