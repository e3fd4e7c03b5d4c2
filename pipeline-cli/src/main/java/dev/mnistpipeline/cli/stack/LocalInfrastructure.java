package dev.mnistpipeline.cli.stack;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The embedded default: a real Kafka broker (KRaft) and a real S3 server (S3Proxy), each its own process,
 * with state under {@code dataDir}. S3 credentials are generated per stack.
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

    public LocalInfrastructure(Layout layout, Path dataDir, int kafkaPort, int s3Port, String accessKey, String secretKey) {
        this.layout = layout;
        this.dataDir = dataDir;
        this.kafkaPort = kafkaPort;
        this.s3Port = s3Port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        Path logs = dataDir.resolve("logs");
        String cp = layout.cliJar().toString();
        List<String> jvm = List.of("-Xmx768m", "-XX:+UseSerialGC", "-cp", cp);
        try {
            int controllerPort = Ports.free();
            Path config = LocalKafka.configure(dataDir.resolve("kafka"), kafkaPort, controllerPort);
            ManagedProcess.runToEnd("kafka-format", ManagedProcess.java(jvm, LocalKafka.formatCommand(config)), logs);
            kafkaCommand = ManagedProcess.java(jvm, LocalKafka.serverCommand(config));
            processes.add(ManagedProcess.start("kafka", kafkaCommand, Map.of(), logs));
            processes.add(startS3(layout, dataDir, s3Port, accessKey, secretKey));
            awaitPort("kafka", kafkaPort);
            awaitPort("s3", s3Port);
        } catch (Exception e) {
            close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    /** The S3 server alone (S3Proxy process); the caller waits for its port and stops it. */
    public static ManagedProcess startS3(Layout layout, Path dataDir, int port, String accessKey, String secretKey) throws java.io.IOException {
        return ManagedProcess.start("s3", ManagedProcess.java(List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", layout.cliJar().toString()),
                        List.of(LocalS3.class.getName(), Integer.toString(port), dataDir.resolve("s3").toString())),
                Map.of("S3_ACCESS_KEY", accessKey, "S3_SECRET_KEY", secretKey), dataDir.resolve("logs"));
    }

    public static LocalInfrastructure onFreePorts(Layout layout, Path dataDir) {
        return new LocalInfrastructure(layout, dataDir, Ports.free(), Ports.free(), randomKey(10), randomKey(20));
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
        processes.add(startS3(layout, dataDir, s3Port, accessKey, secretKey));
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
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
