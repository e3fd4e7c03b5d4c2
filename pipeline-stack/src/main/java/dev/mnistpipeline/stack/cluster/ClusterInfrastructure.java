package dev.mnistpipeline.stack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.LocalKafka;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.stack.Ports;
import dev.mnistpipeline.stack.StorageKey;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka as deploy/ runs it, on hosts of their own ({@link NetworkNamespaces}): {@value #BROKERS} KRaft nodes (each
 * broker and controller) on hosts {@code broker1..3}, every topic created with the partitions, replicas and settings
 * of {@code deploy/base/kafka/topics.yaml} (replication 3, {@code min.insync.replicas} 2), the internal topics
 * alike; and the S3 server on host {@code s3}. Plaintext: this is about losing a broker, not about access control,
 * which the local secure stack covers.
 */
public final class ClusterInfrastructure implements Infrastructure {
    public static final int BROKERS = 3;
    static final int KAFKA_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final int S3_PORT = 9000;
    static final String S3_HOST = "s3";

    private final NetworkNamespaces net;
    private final Path dataDir;
    private final Map<Integer, ManagedProcess> brokers = new LinkedHashMap<>();
    private final List<ManagedProcess> others = new ArrayList<>();
    private final StorageKey adminKey = StorageKey.generate();

    public ClusterInfrastructure(Layout layout, NetworkNamespaces net, Path dataDir) throws Exception {
        this.net = net;
        this.dataDir = dataDir;
        try {
            Layout.ownerOnly(dataDir);
            List<String> voters = new ArrayList<>();
            for (int id = 1; id <= BROKERS; id++) {
                voters.add(id + "@" + net.addHost(brokerHost(id)) + ":" + CONTROLLER_PORT);
            }
            String clusterId = LocalKafka.newClusterId();
            List<String> jvm = List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", layout.stackJar().toString());
            for (int id = 1; id <= BROKERS; id++) {
                Path config = configure(id, String.join(",", voters));
                ManagedProcess.runToEnd("kafka-format-" + id, ManagedProcess.java(jvm, LocalKafka.formatCommand(config, clusterId)), logs());
                brokers.put(id, ManagedProcess.start("kafka-" + id,
                        net.onHost(brokerHost(id), ManagedProcess.java(jvm, LocalKafka.serverCommand(config))), Map.of(), logs()));
            }
            String s3Address = net.addHost(S3_HOST);
            ManagedProcess s3 = LocalInfrastructure.startS3(layout, dataDir, S3_PORT, adminKey, Map.of(),
                    command -> net.onHost(S3_HOST, command), s3Address);
            others.add(s3);
            for (int id = 1; id <= BROKERS; id++) {
                awaitPort(brokers.get(id), net.address(brokerHost(id)), KAFKA_PORT);
            }
            awaitPort(s3, s3Address, S3_PORT);
            try (Admin admin = Admin.create(kafka().config())) {
                createTopics(admin, layout.root().resolve("deploy/base/kafka/topics.yaml"));
            }
            try (ObjectStore store = new ObjectStore(new StorageConfig(s3Endpoint(), accessKey(), secretKey(), StorageConfig.DEFAULT_BUCKET))) {
                store.ensureBucket();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    public static String brokerHost(int nodeId) {
        return "broker" + nodeId;
    }

    private Path configure(int id, String voters) throws IOException {
        Path dir = dataDir.resolve("kafka-" + id);
        Files.createDirectories(dir);
        String address = net.address(brokerHost(id));
        Path config = dir.resolve("server.properties");
        Files.writeString(config, LocalKafka.serverProperties(dir.resolve("logs").toString(), id, voters, BROKERS, List.of(
                "listeners=PLAINTEXT://" + address + ":" + KAFKA_PORT + ",CONTROLLER://" + address + ":" + CONTROLLER_PORT,
                "advertised.listeners=PLAINTEXT://" + address + ":" + KAFKA_PORT,
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "auto.create.topics.enable=false")));
        return config;
    }

    /** Every topic of deploy/'s KafkaTopic resources, with their partitions, replicas and config. */
    static void createTopics(Admin admin, Path topicsYaml) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        try (var documents = yaml.readValues(yaml.createParser(topicsYaml.toFile()), JsonNode.class)) {
            while (documents.hasNext()) {
                JsonNode spec = documents.next().path("spec");
                if (spec.isMissingNode()) {
                    continue;
                }
                Map<String, String> config = new LinkedHashMap<>();
                spec.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
                topics.add(new NewTopic(spec.path("topicName").asText(), spec.path("partitions").asInt(),
                        (short) spec.path("replicas").asInt()).configs(config));
            }
        }
        PipelineStack.createMissing(admin, topics);
    }

    /** The node that leads {@code partition} of {@code topic} now; -1 while none does. */
    public static int leader(Admin admin, String topic, int partition) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Node leader = description.partitions().get(partition).leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    public NetworkNamespaces network() {
        return net;
    }

    private Path logs() {
        return dataDir.resolve("logs");
    }

    private static void awaitPort(ManagedProcess p, String host, int port) throws InterruptedException {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (!Ports.isOpen(host, port)) {
            if (!p.isAlive()) {
                throw new IllegalStateException(p.name() + " exited during startup:\n" + p.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(p.name() + " did not open " + host + ":" + port + " within 180 s:\n" + p.tail(40));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public String bootstrapServers() {
        List<String> servers = new ArrayList<>();
        for (int id = 1; id <= BROKERS; id++) {
            servers.add(net.address(brokerHost(id)) + ":" + KAFKA_PORT);
        }
        return String.join(",", servers);
    }

    @Override
    public String s3Endpoint() {
        return "http://" + net.address(S3_HOST) + ":" + S3_PORT;
    }

    @Override
    public String accessKey() {
        return adminKey.accessKey();
    }

    @Override
    public String secretKey() {
        return adminKey.secretKey();
    }

    @Override
    public void close() {
        for (int i = others.size() - 1; i >= 0; i--) {
            others.get(i).close();
        }
        brokers.values().forEach(ManagedProcess::close);
    }
}
