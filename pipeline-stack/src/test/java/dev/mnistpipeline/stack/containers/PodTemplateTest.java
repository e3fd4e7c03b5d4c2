package dev.mnistpipeline.stack.containers;

import dev.mnistpipeline.stack.Layout;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A service container's confinement and environment come from its manifest in deploy/. */
class PodTemplateTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();

    @Test
    void readsEachServicesConfinementFromItsManifest() {
        for (String service : Layout.SERVICES) {
            PodTemplate pod = PodTemplate.read(DEPLOY, service);
            assertEquals("185", pod.user(), service);
            assertTrue(pod.readOnlyRoot() && pod.dropAllCapabilities() && pod.noNewPrivileges(), service);
            assertTrue(pod.writablePaths().contains("/tmp"), service + ": " + pod.writablePaths());
            assertTrue(pod.otherMounts().contains("/etc/kafka-ca"), service + ": the CA is a secret, not writable");
            assertTrue(pod.memoryBytes() >= 1L << 30, service + ": " + pod.memoryBytes());
            assertEquals(8080, pod.httpPort());
            assertTrue(pod.literalEnv().containsKey("JAVA_OPTS_APPEND"), service);
        }
        assertEquals(List.of("/tmp", "/cache"), PodTemplate.read(DEPLOY, "trainer-service").writablePaths());
    }

    @Test
    void aStackSuppliesItsOwnWiringAndKeepsEverythingElseFromTheConfigMap() {
        PodTemplate pod = PodTemplate.read(DEPLOY, "evaluator-service");
        Map<String, String> env = pod.env(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:19092", "PIPELINE_REGISTRY_MIN_ACCURACY", "0.5"));
        assertEquals("kafka:19092", env.get("KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals("0.5", env.get("PIPELINE_REGISTRY_MIN_ACCURACY"), "the stack's settings win");
        assertEquals("/cache", env.get("PIPELINE_NATIVE_CACHE"), "the ConfigMap's own settings stay");
        assertFalse(env.containsKey("PIPELINE_KAFKA_TRUSTSTORE_LOCATION"), "the cluster's transport is not the stack's");
        assertEquals(pod.literalEnv().get("JAVA_OPTS_APPEND"), env.get("JAVA_OPTS_APPEND"));
    }

    @Test
    void kubernetesQuantities() {
        assertEquals(1536L << 20, PodTemplate.quantityBytes("1536Mi"));
        assertEquals(2L << 30, PodTemplate.quantityBytes("2Gi"));
        assertEquals(512_000_000L, PodTemplate.quantityBytes("512M"));
        assertEquals(0, PodTemplate.quantityBytes(""));
    }
}
