package dev.mnistpipeline.stack;

import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.Roles;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.io.IOException;

/**
 * The four services as separate processes, the way they run as pods, wired to an {@link Infrastructure}.
 * Creates the topics (with their dead-letter topics) first, then starts the services and waits until each
 * reports ready on {@code /q/health/ready}.
 */
public final class PipelineStack implements ServiceStack {
    public static final int PARTITIONS = 3;
    private static final Map<String, String> HEAP = Map.of("ingest-service", "-Xmx1g", "preprocess-service", "-Xmx1536m",
            "trainer-service", "-Xmx1536m", "evaluator-service", "-Xmx1g");

    /** Where the services listen unless told otherwise: this machine only, as the URLs printed say. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    private final Layout layout;
    private final Infrastructure infrastructure;
    private final Path logDir;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> extraEnv;
    private final Map<String, ManagedProcess> services = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ApiTokens tokens = ApiTokens.generate();
    private final Map<String, Duration> startupTimes = new LinkedHashMap<>();
    private final ServiceHosts hosts;

    /**
     * @param ports    HTTP port per service; services not listed get a free port
     * @param extraEnv additional environment per service (config overrides)
     */
    public PipelineStack(Layout layout, Infrastructure infrastructure, Path logDir, Map<String, Integer> ports,
                         Map<String, Map<String, String>> extraEnv) {
        this(layout, infrastructure, logDir, ports, extraEnv, ServiceHosts.LOCAL);
    }

    /** The same, each instance on the host that {@code hosts} gives it. */
    public PipelineStack(Layout layout, Infrastructure infrastructure, Path logDir, Map<String, Integer> ports,
                         Map<String, Map<String, String>> extraEnv, ServiceHosts hosts) {
        this.hosts = hosts;
        this.layout = layout;
        this.infrastructure = infrastructure;
        this.logDir = logDir;
        this.extraEnv = extraEnv;
        for (String s : Layout.SERVICES) {
            this.ports.put(s, ports.getOrDefault(s, Ports.free()));
        }
    }

    /** Starts all four services. */
    public PipelineStack start() {
        return start(Layout.SERVICES);
    }

    /**
     * Starts the named services only (e.g. ingest and preprocess for a scale-out test). From here on, this process's
     * {@link Http} calls carry the stack's operator token unless they set their own.
     */
    public PipelineStack start(String... names) {
        Http.useToken(tokens.token(Roles.OPERATOR));
        try {
            createTopics(infrastructure.kafka());
            Map<String, Long> launched = new LinkedHashMap<>();
            for (String service : names) {
                launched.put(service, System.nanoTime());
                services.put(service, launch(service, ports.get(service)));
            }
            for (String service : names) {
                awaitReady(service, url(service));
                startupTimes.put(service, Duration.ofNanos(System.nanoTime() - launched.get(service)));
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static void createTopics(KafkaEndpoint kafka) {
        try (Admin admin = Admin.create(kafka.config())) {
            List<NewTopic> topics = new ArrayList<>();
            // Each topic's max.message.bytes is the publishers' limit (Topics.MAX_RECORD_BYTES): the broker refuses more.
            for (String t : Topics.ALL) {
                Map<String, String> config = new HashMap<>(Map.of("max.message.bytes", Integer.toString(Topics.maxRecordBytes(t))));
                if (t.equals(Topics.INFERENCE_REQUESTS)) {
                    config.put("retention.ms", "86400000"); // as deploy/: shorter than the 48 h publish-once markers
                }
                topics.add(new NewTopic(t, PARTITIONS, (short) 1).configs(config));
            }
            for (String t : Topics.CONSUMED) {
                String dlq = Topics.deadLetter(t);
                topics.add(new NewTopic(dlq, 1, (short) 1).configs(Map.of("max.message.bytes", Integer.toString(Topics.maxRecordBytes(dlq)))));
            }
            createMissing(admin, topics);
        }
    }

    /** Creates each of {@code topics} that does not exist yet. */
    public static void createMissing(Admin admin, List<NewTopic> topics) {
        for (var entry : admin.createTopics(topics).values().entrySet()) {
            try {
                entry.getValue().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + entry.getKey(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Starts one more instance of a service (same config, same consumer group, its own port), as a second pod
     * would run, and waits until it is ready. It is stopped with the stack.
     */
    public ManagedProcess startInstance(String service, String instanceName) {
        return startInstance(service, instanceName, Map.of());
    }

    /** The same, with settings of its own on top of the service's. */
    public ManagedProcess startInstance(String service, String instanceName, Map<String, String> instanceEnv) {
        return startInstance(service, instanceName, instanceEnv, defaultJvm(service));
    }

    /**
     * The same, on other JVM options than the service's heap and serial GC (a benchmark comparing collectors).
     * Stop it with {@link ManagedProcess#close()} on what this returns.
     */
    public ManagedProcess startInstance(String service, String instanceName, Map<String, String> instanceEnv, List<String> jvmOptions) {
        ManagedProcess p = addInstance(service, instanceName, instanceEnv, jvmOptions);
        awaitReady(instanceName, url(instanceName));
        return p;
    }

    /** One more instance, without waiting for it to be ready (one that is not meant to be: a fault under test). */
    public ManagedProcess startInstanceUnready(String service, String instanceName, Map<String, String> instanceEnv) {
        return addInstance(service, instanceName, instanceEnv, defaultJvm(service));
    }

    private ManagedProcess addInstance(String service, String instanceName, Map<String, String> instanceEnv, List<String> jvmOptions) {
        int port = Ports.free();
        ManagedProcess p = launch(service, port, instanceName, instanceName, instanceEnv, jvmOptions);
        services.put(instanceName, p);
        ports.put(instanceName, port);
        return p;
    }

    /**
     * Starts {@code service} again under its old instance name, as Kubernetes restarts a crashed container in the
     * same pod; with static group membership it takes its old partitions back at once.
     */
    public ManagedProcess restart(String service) {
        int port = Ports.free();
        ManagedProcess p = launch(service, port, service, service + "-restarted", Map.of());
        services.put(service, p);
        ports.put(service, port);
        awaitReady(service, url(service));
        return p;
    }

    private ManagedProcess launch(String service, int port) {
        return launch(service, port, service, service, Map.of());
    }

    /** @param processName names the process and its log file; {@code instanceName} is its identity in the consumer groups */
    private ManagedProcess launch(String service, int port, String instanceName, String processName, Map<String, String> instanceEnv) {
        return launch(service, port, instanceName, processName, instanceEnv, defaultJvm(service));
    }

    private static List<String> defaultJvm(String service) {
        return List.of(HEAP.get(service), "-XX:+UseSerialGC");
    }

    private ManagedProcess launch(String service, int port, String instanceName, String processName, Map<String, String> instanceEnv,
                                  List<String> jvmOptions) {
        Map<String, String> env = new HashMap<>();
        env.putAll(infrastructure.serviceEnv(service));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", hosts.address(instanceName));
        env.put("PIPELINE_INSTANCE_ID", instanceName);
        env.putAll(tokens.serviceEnv());
        env.put("PIPELINE_INGEST_ALLOWED_DIRS", String.join(",", ingestDirs(layout)));
        env.putAll(extraEnv.getOrDefault(service, Map.of()));
        env.putAll(instanceEnv);
        if (!env.containsKey("PIPELINE_OTLP_ENDPOINT") && System.getenv("PIPELINE_OTLP_ENDPOINT") == null) {
            // Traces still propagate through Kafka headers; with no collector to send spans to, failed exports stay quiet.
            env.put("PIPELINE_OTLP_EXPORT_LOG_LEVEL", "ERROR");
        }
        try {
            return ManagedProcess.start(processName, hosts.command(instanceName, ManagedProcess.java(jvmOptions,
                    List.of("-jar", layout.serviceJar(service).toString()))), env, logDir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + service, e);
        }
    }

    private void awaitReady(String service, String baseUrl) {
        ManagedProcess p = services.get(service);
        Waiting.until(service, Duration.ofMinutes(3), p::isAlive, () -> Waiting.healthReady(http, baseUrl), () -> p.tail(60));
    }

    /**
     * The directories a local stack's ingest service may read (a deployed one reads none by default): the MNIST
     * cache, the committed MNIST subset, and {@code .pipeline/sources/} for data staged by the CLI and benchmarks.
     * A caller that needs more sets {@code PIPELINE_INGEST_ALLOWED_DIRS} for the ingest service itself.
     */
    public static List<String> ingestDirs(Layout layout) {
        String cache = System.getenv().getOrDefault("PIPELINE_MNIST_CACHE_DIR",
                Path.of(System.getProperty("user.home"), ".cache", "mnist-pipeline", "mnist").toString());
        return List.of(cache, layout.root().resolve("data").toString(),
                layout.stateDir().resolve("sources").toString());
    }

    @Override
    public Map<String, Duration> startupTimes() {
        return startupTimes;
    }

    @Override
    public ApiTokens tokens() {
        return tokens;
    }

    @Override
    public String url(String service) {
        return "http://" + hosts.address(service) + ":" + ports.get(service);
    }

    public ManagedProcess process(String service) {
        return services.get(service);
    }

    public Map<String, ManagedProcess> processes() {
        return services;
    }

    @Override
    public void close() {
        List<String> names = new ArrayList<>(services.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            services.get(names.get(i)).close();
        }
    }
}
