package dev.mnistpipeline.e2e.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.messaging.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.regex.Pattern;

/** deploy/ renders with kustomize and every rendered manifest validates offline, base and each overlay. */
class DeployManifestsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static List<ObjectNode> render(String dir) throws Exception {
        return RenderedManifests.render(ROOT.resolve("deploy").resolve(dir));
    }

    static Stream<ObjectNode> kind(List<ObjectNode> docs, String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind));
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/local", "overlays/gpu"})
    void everyRenderedManifestValidates(String dir) throws Exception {
        List<ObjectNode> docs = render(dir);
        assertTrue(docs.size() > 40, dir + " rendered only " + docs.size() + " manifests");
        List<String> problems = new ArrayList<>();
        for (ObjectNode doc : docs) {
            ModelValidator.validate(doc).forEach(p -> problems.add(RenderedManifests.id(doc) + ": " + p));
            if (!doc.path("kind").asText().equals("Namespace")) {
                assertEquals("mnist-pipeline", doc.path("metadata").path("namespace").asText(), RenderedManifests.id(doc));
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void validatorCatchesMisplacedFields() throws Exception {
        ObjectNode deployment = kind(render("base"), "Deployment").findFirst().orElseThrow();
        ((ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0)).put("resourcez", "typo");
        assertTrue(ModelValidator.validate(deployment).stream().anyMatch(p -> p.contains("resourcez")));
        ObjectNode topic = kind(render("base"), "KafkaTopic").findFirst().orElseThrow();
        ((ObjectNode) topic.path("spec")).put("partitons", 3);
        assertTrue(ModelValidator.validate(topic).stream().anyMatch(p -> p.contains("partitons")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/local", "overlays/gpu"})
    void servicesHaveProbesResourcesAndLeastPrivilege(String dir) throws Exception {
        List<ObjectNode> deployments = kind(render(dir), "Deployment").toList();
        assertEquals(Set.of(Layout.SERVICES), deployments.stream().map(d -> d.path("metadata").path("name").asText()).collect(Collectors.toSet()));
        for (ObjectNode d : deployments) {
            JsonNode pod = d.path("spec").path("template").path("spec");
            JsonNode c = pod.path("containers").get(0);
            String name = RenderedManifests.id(d);
            assertEquals("/q/health/started", c.path("startupProbe").path("httpGet").path("path").asText(), name);
            assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), name);
            assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), name);
            assertFalse(c.path("resources").path("requests").path("memory").isMissingNode(), name);
            assertFalse(c.path("resources").path("limits").path("memory").isMissingNode(), name);
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), name + " needs no Kubernetes API token");
            assertEquals(d.path("metadata").path("name").asText(), pod.path("serviceAccountName").asText(), name);
        }
    }

    @Test
    void credentialsAppearOnlyInTheLocalOverlay() throws Exception {
        assertEquals(1, kind(render("overlays/local"), "Secret").count());
        assertEquals(0, kind(render("base"), "Secret").count());
        assertEquals(0, kind(render("overlays/gpu"), "Secret").count());
    }

    @Test
    void gpuOverlayPutsTheTrainerOnAGpuNode() throws Exception {
        JsonNode trainer = kind(render("overlays/gpu"), "Deployment")
                .filter(d -> d.path("metadata").path("name").asText().equals("trainer-service")).findFirst().orElseThrow();
        JsonNode pod = trainer.path("spec").path("template").path("spec");
        JsonNode c = pod.path("containers").get(0);
        assertEquals("1", c.path("resources").path("limits").path("nvidia.com/gpu").asText());
        assertTrue(c.path("image").asText().startsWith("mnist-pipeline/trainer-service-gpu:"), c.path("image").asText());
        assertEquals("true", pod.path("nodeSelector").path("nvidia.com/gpu.present").asText());
        assertTrue(pod.path("tolerations").toString().contains("nvidia.com/gpu"));
        assertTrue(c.path("startupProbe").isObject(), "the patch keeps the base probes");
        assertTrue(c.path("env").toString().contains("{\"name\":\"PIPELINE_TRAINER_DEVICE\",\"value\":\"gpu\"}"), c.path("env").toString());
        assertTrue(c.path("envFrom").toString().contains("trainer-service-config"), "the patch keeps the ConfigMap");
    }

    /** Every workload we ship, MinIO and its setup Job included: seccomp, a read-only root, no privilege escalation. */
    @Test
    void everyWorkloadRunsConfined() throws Exception {
        List<ObjectNode> docs = render("base");
        List<ObjectNode> workloads = Stream.of("Deployment", "StatefulSet", "Job").flatMap(k -> kind(docs, k)).toList();
        assertTrue(workloads.size() >= 6, "the four services, MinIO and its Job");
        for (ObjectNode w : workloads) {
            var pod = w.path("spec").path("template").path("spec");
            assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText(), RenderedManifests.id(w));
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), RenderedManifests.id(w));
            pod.path("containers").forEach(c -> {
                assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean(), RenderedManifests.id(w) + " " + c.path("name"));
                assertEquals("false", c.path("securityContext").path("allowPrivilegeEscalation").asText(), RenderedManifests.id(w));
            });
        }
        // The ingest service may download datasets from the internet, never from the cluster, link-local metadata or CGNAT.
        String egress = kind(docs, "NetworkPolicy").filter(n -> n.path("metadata").path("name").asText().equals("ingest-allow-dataset-download"))
                .findFirst().orElseThrow().path("spec").path("egress").toString();
        for (String cidr : List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10")) {
            assertTrue(egress.contains("\"" + cidr + "\""), cidr + " not excluded: " + egress);
        }
    }

    @Test
    void everyTopicTheServicesUseHasAKafkaTopic() throws Exception {
        List<ObjectNode> docs = render("base");
        Set<String> declared = kind(docs, "KafkaTopic").map(t -> t.path("spec").path("topicName").asText()).collect(Collectors.toSet());
        Set<String> needed = new HashSet<>(Topics.ALL);
        Topics.CONSUMED.forEach(t -> needed.add(Topics.deadLetter(t)));
        assertEquals(needed, declared);
        // The publishers' size limits are the ones the embedded stack sets (Topics.MAX_RECORD_BYTES).
        kind(docs, "KafkaTopic").forEach(t -> assertEquals(Topics.maxRecordBytes(t.path("spec").path("topicName").asText()),
                t.path("spec").path("config").path("max.message.bytes").asInt(), RenderedManifests.id(t)));
        // Lag-based scaling never goes past the partitions that could feed the replicas.
        Map<String, Integer> partitions = kind(docs, "KafkaTopic").collect(Collectors.toMap(
                t -> t.path("spec").path("topicName").asText(), t -> t.path("spec").path("partitions").asInt()));
        kind(docs, "ScaledObject").forEach(so -> so.path("spec").path("triggers").forEach(trigger -> {
            String topic = trigger.path("metadata").path("topic").asText();
            assertTrue(so.path("spec").path("maxReplicaCount").asInt() <= partitions.get(topic), RenderedManifests.id(so) + " " + topic);
        }));
    }

    @Test
    void everyConfigMapKeyIsOneTheServiceReads() throws Exception {
        List<ObjectNode> configMaps = kind(render("base"), "ConfigMap")
                .filter(c -> c.path("metadata").path("name").asText().endsWith("-service-config")).toList();
        assertEquals(4, configMaps.size());
        for (ObjectNode cm : configMaps) {
            String service = cm.path("metadata").path("name").asText().replace("-config", "");
            Set<String> readable = readableKeys(service);
            for (var it = cm.path("data").fieldNames(); it.hasNext(); ) {
                String key = it.next();
                assertTrue(readable.contains(key), service + " does not read " + key);
            }
        }
    }

    /**
     * Env-var forms of the service's application.properties keys, env vars its values expand ({@code ${NAME:default}}),
     * plus env vars its code reads by name.
     */
    private static Set<String> readableKeys(String service) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve(service).resolve("src/main/resources/application.properties"))) {
            p.load(r);
        }
        Set<String> keys = p.stringPropertyNames().stream()
                .map(k -> k.toUpperCase().replaceAll("[^A-Z0-9]", "_")).collect(Collectors.toCollection(HashSet::new));
        for (String value : p.stringPropertyNames().stream().map(p::getProperty).toList()) {
            var m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(value);
            while (m.find()) {
                keys.add(m.group(1));
            }
        }
        for (Path src : List.of(ROOT.resolve(service).resolve("src/main/java"), ROOT.resolve("pipeline-common/src/main/java"))) {
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                    var m = Pattern.compile("getenv\\(\"([A-Z0-9_]+)\"\\)").matcher(Files.readString(f));
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
        }
        return keys;
    }
}
