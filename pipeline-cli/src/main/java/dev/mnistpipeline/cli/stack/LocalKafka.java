package dev.mnistpipeline.cli.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one process), started as a child
 * process the way it would run on its own: {@code StorageTool format}, then {@code kafka.Kafka}.
 */
public final class LocalKafka {
    private LocalKafka() {
    }

    /** Writes server.properties and formats the log directory (first start only). */
    public static Path configure(Path dataDir, int port, int controllerPort) throws IOException {
        Files.createDirectories(dataDir);
        Path logs = dataDir.resolve("logs");
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, String.join("\n", List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logs.toAbsolutePath(),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "")));
        return config;
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
