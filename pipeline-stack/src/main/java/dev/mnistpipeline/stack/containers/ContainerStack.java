package dev.mnistpipeline.stack.containers;

import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.ApiTokens;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.stack.Ports;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.stack.Waiting;
import dev.mnistpipeline.common.quarkus.Roles;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The four services as containers from their images, each run as its Deployment in deploy/ runs it
 * ({@link PodTemplate}: non-root, read-only root filesystem with only the emptyDir mounts writable, no capabilities,
 * no privilege escalation, its memory limit, its ConfigMap's environment), wired to a {@link ContainerInfrastructure}.
 * Creates the topics first, then starts the services and waits until each reports ready on {@code /q/health/ready}.
 */
public final class ContainerStack implements ServiceStack {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Layout layout;
    private final ContainerEngine engine;
    private final ContainerInfrastructure infrastructure;
    private final ContainerImages images;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> extraEnv;
    private final Map<String, String> containers = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> readOnlyMounts = new LinkedHashMap<>();
    private final Map<String, Duration> startupTimes = new LinkedHashMap<>();
    private final ApiTokens tokens = ApiTokens.generate();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param ports    host port per service (on 127.0.0.1); services not listed get a free port
     * @param extraEnv settings per service on top of its manifest's (config overrides)
     */
    public ContainerStack(Layout layout, ContainerEngine engine, ContainerInfrastructure infrastructure, Map<String, Integer> ports,
                          Map<String, Map<String, String>> extraEnv) {
        this.layout = layout;
        this.engine = engine;
        this.infrastructure = infrastructure;
        this.images = ContainerImages.of(layout);
        this.extraEnv = extraEnv;
        for (String s : Layout.SERVICES) {
            this.ports.put(s, ports.getOrDefault(s, Ports.free()));
        }
    }

    /** Mounts {@code hostDir} read-only at {@code path} in {@code service}'s container (data to ingest); before {@link #start}. */
    public ContainerStack withReadOnlyMount(String service, Path hostDir, String path) {
        readOnlyMounts.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(hostDir.toAbsolutePath().toString(), path);
        return this;
    }

    /** Starts all four services and waits until each is ready; from here on this process's calls carry the operator token. */
    public ContainerStack start() {
        Http.useToken(tokens.token(Roles.OPERATOR));
        try {
            for (String service : Layout.SERVICES) {
                if (!engine.hasImage(images.service(service))) {
                    throw new IllegalStateException(images.service(service) + " is not built: run ./pipeline images");
                }
            }
            PipelineStack.createTopics(infrastructure.kafka());
            Map<String, Long> started = new LinkedHashMap<>();
            for (String service : Layout.SERVICES) {
                started.put(service, System.nanoTime());
                containers.put(service, engine.run(spec(service), infrastructure.stackName()));
            }
            for (String service : Layout.SERVICES) {
                awaitReady(service);
                startupTimes.put(service, Duration.ofNanos(System.nanoTime() - started.get(service)));
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The service's container as its manifest runs it, with this stack's wiring and tokens. */
    ContainerSpec spec(String service) {
        PodTemplate pod = PodTemplate.read(layout.root().resolve("deploy"), service);
        Map<String, String> wiring = new LinkedHashMap<>(infrastructure.serviceEnv(service));
        wiring.put("PIPELINE_INSTANCE_ID", service);
        wiring.putAll(tokens.serviceEnv());
        // Traces still propagate through Kafka headers; with no collector to send spans to, failed exports stay quiet.
        wiring.put("PIPELINE_OTLP_EXPORT_LOG_LEVEL", "ERROR");
        wiring.putAll(extraEnv.getOrDefault(service, Map.of()));
        ContainerSpec spec = pod.container(infrastructure.stackName() + "-" + service, images.service(service),
                infrastructure.network(), pod.env(wiring), ports.get(service));
        for (var mount : readOnlyMounts.getOrDefault(service, Map.of()).entrySet()) {
            spec = spec.withReadOnlyMount(mount.getKey(), mount.getValue());
        }
        return spec;
    }

    private void awaitReady(String service) {
        String id = containers.get(service);
        Waiting.until(service + " container", READY_TIMEOUT, () -> engine.isRunning(id),
                () -> Waiting.healthReady(http, url(service)), () -> engine.logs(id, 60));
    }

    @Override
    public Map<String, Duration> startupTimes() {
        return startupTimes;
    }

    /** The container id of a service. */
    public String container(String service) {
        return containers.get(service);
    }

    @Override
    public String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    @Override
    public ApiTokens tokens() {
        return tokens;
    }

    /** Removes the service containers (the infrastructure is closed by its owner). */
    @Override
    public void close() {
        containers.values().forEach(engine::remove);
        containers.clear();
    }
}
