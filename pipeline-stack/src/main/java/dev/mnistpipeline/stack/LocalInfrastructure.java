package dev.mnistpipeline.stack;

import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import org.apache.kafka.clients.admin.Admin;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * The embedded default: a real Kafka broker (KRaft) and a real S3 server (S3Proxy), each its own process,
 * with state under {@code dataDir}. Credentials are generated per stack.
 *
 * <p>A secure one ({@link #secure}, what {@code ./pipeline up} starts) gives every principal of
 * {@link ServiceAccess} its own SCRAM user with ACLs on the broker and its own S3 key limited to its key prefixes;
 * only the admin (topic creation, the CLI's watching and DLQ replay) may do everything.
 */
public final class LocalInfrastructure implements Infrastructure {
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final int kafkaPort;
    private final int s3Port;
    private final String accessKey;
    private final String secretKey;
    private final Layout layout;
    private final Path dataDir;
    private final List<String> kafkaCommand;
    /** Secure stacks only: the admin's endpoint, each principal's SCRAM password and S3 key; empty otherwise. */
    private final KafkaEndpoint admin;
    private final Map<String, String> kafkaPasswords = new LinkedHashMap<>();
    private final Map<String, StorageKey> storageKeys = new LinkedHashMap<>();

    /**
     * @param kafkaPort where clients connect (SCRAM on a secure stack)
     * @param secure    SASL/SCRAM with ACLs on the broker and a key per service on S3
     */
    public LocalInfrastructure(Layout layout, Path dataDir, int kafkaPort, int s3Port, boolean secure) {
        this.layout = layout;
        this.dataDir = dataDir;
        this.kafkaPort = kafkaPort;
        this.s3Port = s3Port;
        StorageKey adminKey = StorageKey.generate();
        this.accessKey = adminKey.accessKey();
        this.secretKey = adminKey.secretKey();
        Path logs = dataDir.resolve("logs");
        String cp = layout.stackJar().toString();
        List<String> jvm = List.of("-Xmx768m", "-XX:+UseSerialGC", "-cp", cp);
        try {
            Layout.ownerOnly(dataDir); // broker logs, S3 objects, credentials: this user's only
            int controllerPort = Ports.free();
            Path config;
            if (secure) {
                int internalPort = Ports.free();
                String adminPassword = randomKey(20);
                config = LocalKafka.configureSecure(dataDir.resolve("kafka"), kafkaPort, internalPort, controllerPort,
                        randomKey(20), adminPassword);
                admin = KafkaEndpoint.sasl("127.0.0.1:" + internalPort, KafkaEndpoint.PLAIN, ServiceAccess.ADMIN, adminPassword);
                for (ServiceAccess access : ServiceAccess.ALL) {
                    kafkaPasswords.put(access.principal(), randomKey(20));
                    if (access.usesStorage()) {
                        storageKeys.put(access.principal(), StorageKey.generate());
                    }
                }
            } else {
                config = LocalKafka.configure(dataDir.resolve("kafka"), kafkaPort, controllerPort);
                admin = KafkaEndpoint.plaintext(bootstrapServers());
            }
            if (!LocalKafka.isFormatted(dataDir.resolve("kafka"))) {
                ManagedProcess.runToEnd("kafka-format", ManagedProcess.java(jvm, LocalKafka.formatCommand(config)), logs);
            }
            kafkaCommand = ManagedProcess.java(jvm, LocalKafka.serverCommand(config));
            processes.add(ManagedProcess.start("kafka", kafkaCommand, Map.of(), logs));
            processes.add(startS3(layout, dataDir, s3Port, adminKey, storageKeys));
            awaitPort("kafka", kafkaPort);
            awaitPort("s3", s3Port);
            if (secure) {
                try (Admin a = Admin.create(admin.config())) {
                    KafkaAccessControl.apply(a, kafkaPasswords);
                }
                // The services may not create buckets: the admin does, as deploy/'s setup Job does on MinIO.
                try (ObjectStore store = new ObjectStore(new StorageConfig(s3Endpoint(), accessKey, secretKey, StorageConfig.DEFAULT_BUCKET))) {
                    store.ensureBucket();
                }
            }
        } catch (Exception e) {
            close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    /** Plaintext Kafka and one S3 key, on free ports: tests and benchmarks that exercise other things. */
    public static LocalInfrastructure onFreePorts(Layout layout, Path dataDir) {
        return new LocalInfrastructure(layout, dataDir, Ports.free(), Ports.free(), false);
    }

    /** Authenticated, least-privilege Kafka and S3 on free ports, as {@code ./pipeline up} runs them. */
    public static LocalInfrastructure secure(Layout layout, Path dataDir) {
        return new LocalInfrastructure(layout, dataDir, Ports.free(), Ports.free(), true);
    }

    /** By name, not {@code LocalS3.class}: callers that only start the process (a service's tests) lack S3Proxy's classes. */
    private static final String LOCAL_S3_MAIN = "dev.mnistpipeline.stack.LocalS3";

    /** The S3 server alone (S3Proxy process), with its admin key only; the caller waits for its port and stops it. */
    public static ManagedProcess startS3(Layout layout, Path dataDir, int port, String accessKey, String secretKey) throws IOException {
        return startS3(layout, dataDir, port, new StorageKey(accessKey, secretKey), Map.of());
    }

    /** The S3 server alone, with its admin key and a key per service principal (limited to its prefixes). */
    public static ManagedProcess startS3(Layout layout, Path dataDir, int port, StorageKey admin,
                                         Map<String, StorageKey> serviceKeys) throws IOException {
        return startS3(layout, dataDir, port, admin, serviceKeys, UnaryOperator.identity(), "127.0.0.1");
    }

    /** The same, started through {@code onHost} (a host of its own) and listening on {@code bindHost}. */
    public static ManagedProcess startS3(Layout layout, Path dataDir, int port, StorageKey admin, Map<String, StorageKey> serviceKeys,
                                         UnaryOperator<List<String>> onHost, String bindHost) throws IOException {
        String services = StorageKey.serviceKeysEnv(serviceKeys);
        return ManagedProcess.start("s3", onHost.apply(ManagedProcess.java(List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", layout.stackJar().toString()),
                        List.of(LOCAL_S3_MAIN, Integer.toString(port), dataDir.resolve("s3").toString()))),
                Map.of("S3_ACCESS_KEY", admin.accessKey(), "S3_SECRET_KEY", admin.secretKey(), "S3_SERVICE_KEYS", services,
                        "S3_BIND_HOST", bindHost),
                dataDir.resolve("logs"));
    }

    public static String randomKey(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Chaos: SIGKILLs the S3 server, as when its node dies; its data stays on disk for {@link #restartS3}. */
    public void killS3() throws InterruptedException {
        kill("s3");
    }

    /** Chaos: SIGKILLs the broker; its log directory stays for {@link #restartKafka}. */
    public void killKafka() throws InterruptedException {
        kill("kafka");
    }

    /** Starts the broker again on the same port and log directory, and waits until it listens. */
    public void restartKafka() throws Exception {
        processes.add(0, ManagedProcess.start("kafka", kafkaCommand, Map.of(), dataDir.resolve("logs")));
        awaitPort("kafka", kafkaPort);
    }

    private void kill(String name) throws InterruptedException {
        ManagedProcess p = process(name);
        p.kill();
        processes.remove(p);
    }

    /** Starts the S3 server again on the same port, data and credentials, and waits until it listens. */
    public void restartS3() throws Exception {
        processes.add(startS3(layout, dataDir, s3Port, new StorageKey(accessKey, secretKey), storageKeys));
        awaitPort("s3", s3Port);
    }

    private ManagedProcess process(String name) {
        return processes.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    private void awaitPort(String name, int port) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        ManagedProcess p = process(name);
        while (!Ports.isOpen(port)) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited during startup:\n" + p.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not open port " + port + " within 120 s:\n" + p.tail(40));
            }
            Thread.sleep(100);
        }
    }

    public List<ManagedProcess> processes() {
        return processes;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    @Override
    public String s3Endpoint() {
        return "http://127.0.0.1:" + s3Port;
    }

    @Override
    public String accessKey() {
        return accessKey;
    }

    @Override
    public String secretKey() {
        return secretKey;
    }

    @Override
    public KafkaEndpoint kafka() {
        return admin;
    }

    /** On a secure stack the principal's SCRAM user on the client port; otherwise plaintext, as for everyone. */
    @Override
    public KafkaEndpoint kafka(String principal) {
        String password = kafkaPasswords.get(principal);
        if (password == null) {
            return kafkaPasswords.isEmpty() ? KafkaEndpoint.plaintext(bootstrapServers()) : missing(principal);
        }
        return KafkaEndpoint.sasl(bootstrapServers(), KafkaEndpoint.SCRAM, principal, password);
    }

    /** On a secure stack the principal's own S3 key; otherwise the one key. */
    @Override
    public StorageKey storageKey(String principal) {
        if (storageKeys.isEmpty()) {
            return new StorageKey(accessKey, secretKey);
        }
        StorageKey key = storageKeys.get(principal);
        return key != null ? key : missing(principal);
    }

    public boolean secure() {
        return !kafkaPasswords.isEmpty();
    }

    private static <T> T missing(String principal) {
        throw new IllegalArgumentException("no credentials for " + principal + " (see ServiceAccess)");
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
