package dev.mnistpipeline.stack;

import dev.mnistpipeline.common.access.ServiceAccess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        List<String> lines = new ArrayList<>(List.of(
                "listeners=CLIENTS://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=CLIENTS://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort));
        lines.addAll(secureLines(List.of("CLIENTS"), List.of("INTERNAL"), "INTERNAL", brokerPassword, adminPassword));
        return write(dataDir, lines, controllerPort);
    }

    /**
     * The security settings of a secure node, wherever it runs: SASL/SCRAM-SHA-512 on {@code scramListeners}
     * (users and ACLs from {@link KafkaAccessControl}), SASL/PLAIN for the broker and the admin only on
     * {@code plainListeners} and the controller, ACLs with no one allowed by default, no implicit topics. The
     * listeners and advertised listeners are the caller's.
     */
    public static List<String> secureLines(List<String> scramListeners, List<String> plainListeners, String interBrokerListener,
                                           String brokerPassword, String adminPassword) {
        String plainUsers = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\""
                + brokerPassword + "\" user_broker=\"" + brokerPassword + "\" user_" + ServiceAccess.ADMIN + "=\"" + adminPassword + "\";";
        List<String> protocols = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String listener : scramListeners) {
            saslListener(listener, "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule required;", protocols, lines);
        }
        List<String> plain = new ArrayList<>(plainListeners);
        plain.add("CONTROLLER");
        for (String listener : plain) {
            saslListener(listener, "PLAIN", plainUsers, protocols, lines);
        }
        lines.addAll(0, List.of(
                "listener.security.protocol.map=" + String.join(",", protocols),
                "inter.broker.listener.name=" + interBrokerListener,
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "sasl.mechanism.controller.protocol=PLAIN"));
        lines.addAll(List.of(
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:broker;User:" + ServiceAccess.ADMIN,
                "allow.everyone.if.no.acl.found=false",
                "auto.create.topics.enable=false"));
        return lines;
    }

    /** A SASL_PLAINTEXT listener taking one mechanism, with its JAAS configuration. */
    private static void saslListener(String listener, String mechanism, String jaas, List<String> protocols, List<String> lines) {
        protocols.add(listener + ":SASL_PLAINTEXT");
        String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
        lines.add(prefix + "sasl.enabled.mechanisms=" + mechanism);
        lines.add(prefix + mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config=" + jaas);
    }

    private static Path write(Path dataDir, List<String> listenerLines, int controllerPort) throws IOException {
        Layout.ownerOnly(dataDir);
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, serverProperties(dataDir.resolve("logs").toAbsolutePath().toString(), controllerPort, listenerLines));
        Owner.only(config);
        return config;
    }

    /** A single node's server.properties (broker and controller in one process): the common part, then {@code listenerLines}. */
    public static String serverProperties(String logDir, int controllerPort, List<String> listenerLines) {
        return serverProperties(logDir, 1, "1@127.0.0.1:" + controllerPort, 1, listenerLines);
    }

    /**
     * One node of a cluster whose every node is broker and controller: {@code voters} names them all
     * ({@code id@host:port,...}); the internal topics get {@code replication} replicas and, above one, a minimum
     * of {@code replication - 1} in sync, as deploy/'s Kafka has.
     */
    public static String serverProperties(String logDir, int nodeId, String voters, int replication, List<String> listenerLines) {
        String minInSync = Integer.toString(Math.max(1, replication - 1));
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + logDir,
                "num.partitions=3",
                "default.replication.factor=" + replication,
                "min.insync.replicas=" + minInSync,
                "offsets.topic.replication.factor=" + replication,
                "transaction.state.log.replication.factor=" + replication,
                "transaction.state.log.min.isr=" + minInSync,
                "share.coordinator.state.topic.replication.factor=" + replication,
                "share.coordinator.state.topic.min.isr=" + minInSync,
                "group.initial.rebalance.delay.ms=0"));
        lines.addAll(listenerLines);
        return String.join("\n", lines) + "\n";
    }

    /** Whether the log directory holds a formatted broker already (a stack started again after {@code down}). */
    public static boolean isFormatted(Path dataDir) {
        return Files.exists(dataDir.resolve("logs").resolve("meta.properties"));
    }

    /** Arguments for {@code java -cp <cli classpath>} that format the storage, once. */
    public static List<String> formatCommand(Path config) {
        return formatCommand(config, newClusterId());
    }

    /** The nodes of one cluster are formatted with the same id. */
    public static List<String> formatCommand(Path config, String clusterId) {
        return List.of("kafka.tools.StorageTool", "format", "--ignore-formatted", "-t", clusterId, "-c", config.toString());
    }

    public static String newClusterId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 22);
    }

    public static List<String> serverCommand(Path config) {
        return List.of("kafka.Kafka", config.toString());
    }
}
