package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.containers.ContainerEngine;
import dev.mnistpipeline.stack.containers.ContainerImages;
import dev.mnistpipeline.stack.containers.ContainerInfrastructure;
import dev.mnistpipeline.stack.containers.ContainerStack;
import dev.mnistpipeline.stack.containers.PodTemplate;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.Ports;
import dev.mnistpipeline.stack.ServiceStack;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same end-to-end scenario with everything in containers from the images built here ({@code ./pipeline images},
 * reused when unchanged): Kafka, S3, and the four services, each run as its Deployment in deploy/ runs it (user,
 * read-only root filesystem with only its emptyDir mounts writable, no capabilities, no privilege escalation, memory
 * limit, ConfigMap environment). A service that needs more than its manifest allows fails here. Runs on Podman's API
 * service or Docker, found as Testcontainers finds an engine; skipped (reported as skipped) where there is none.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersEndToEndTest extends EndToEndScenario {
    private static final Layout LAYOUT = new Layout(Path.of("..").toAbsolutePath().normalize());

    private static final String DATA = "/data";
    /** Every path an image has that a process might try to write; only the manifest's emptyDir mounts may be writable. */
    private static final List<String> PROBED = List.of("/", "/deployments", "/deployments/lib", "/etc", "/home", "/opt",
            "/root", "/run", "/tmp", "/usr", "/var", "/var/tmp", "/cache", DATA);

    private static final String NO_CAPABILITIES = "0000000000000000";

    private ContainerEngine engine;
    private ContainerStack containers;

    @Override
    Infrastructure infrastructure(Path workDir) throws Exception {
        ImageBuild.ensure(LAYOUT);
        engine = ContainerEngine.connect();
        long started = System.nanoTime();
        ContainerInfrastructure infra = ContainerInfrastructure.start(engine, ContainerImages.of(LAYOUT),
                "e2e-" + UUID.randomUUID().toString().substring(0, 8), Ports.free(), Ports.free());
        System.out.printf("Kafka and S3 containers ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return infra;
    }

    @Override
    String subsetSource() {
        return DATA + "/mnist-subset";
    }

    @Override
    ServiceStack services(Layout layout, Infrastructure infra, Path logDir, Map<String, Map<String, String>> env) {
        // The subset reaches the ingest container as data is given to a pod: a read-only mount it may read from.
        Map<String, Map<String, String>> withData = new HashMap<>(env);
        Map<String, String> ingest = new HashMap<>(env.getOrDefault("ingest-service", Map.of()));
        ingest.put("PIPELINE_INGEST_ALLOWED_DIRS", DATA);
        withData.put("ingest-service", ingest);
        containers = new ContainerStack(LAYOUT, engine, (ContainerInfrastructure) infra, Map.of(), withData)
                .withReadOnlyMount("ingest-service", SUBSET, subsetSource())
                .start();
        return containers;
    }

    @Test
    @Order(100)
    @DisplayName("17. every service container ran the whole scenario as its manifest confines it, without a restart")
    void containersKeptTheManifestsPromises() {
        for (String service : Layout.SERVICES) {
            PodTemplate pod = PodTemplate.read(LAYOUT.root().resolve("deploy"), service);
            ContainerEngine.Confinement c = engine.confinement(containers.container(service));
            assertTrue(c.running(), service + " is still running");
            assertEquals(0, c.restarts(), service + " never restarted");
            assertEquals(pod.user(), c.user(), service + " runs as the manifest's runAsUser");
            assertTrue(pod.readOnlyRoot() && c.readOnlyRoot(), service + ": read-only root filesystem");
            assertEquals(pod.writablePaths(), engine.writable(containers.container(service), PROBED),
                    service + ": only the manifest's emptyDir mounts are writable (tried as its user from inside)");
            Map<String, String> process = engine.processStatus(containers.container(service));
            assertEquals(NO_CAPABILITIES, process.get("CapEff"), service + ": no effective capability");
            assertTrue(pod.dropAllCapabilities(), service + ": the manifest drops ALL");
            assertEquals(NO_CAPABILITIES, process.get("CapBnd"), service + ": every capability dropped, none can be gained");
            assertTrue(pod.noNewPrivileges(), service + ": the manifest forbids privilege escalation");
            assertEquals("1", process.get("NoNewPrivs"), service + ": no privilege escalation (no_new_privs)");
            assertEquals(pod.memoryBytes(), c.memoryBytes(), service + ": the manifest's memory limit");
            assertTrue(c.env().containsAll(pod.env(Map.of()).keySet()), service + ": the ConfigMap's and manifest's environment");
        }
    }
}
