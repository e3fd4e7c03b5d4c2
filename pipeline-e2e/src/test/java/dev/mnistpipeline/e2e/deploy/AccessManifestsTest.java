package dev.mnistpipeline.e2e.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.access.ServiceAccess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.mnistpipeline.e2e.deploy.DeployManifestsTest.ROOT;
import static dev.mnistpipeline.e2e.deploy.DeployManifestsTest.kind;
import static dev.mnistpipeline.e2e.deploy.DeployManifestsTest.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.HashMap;
import java.util.HashSet;

/**
 * deploy/'s Kafka users and MinIO policies are exactly what {@link ServiceAccess} grants (so they cannot drift from
 * the topics the services bind, which {@code TopicBindingTest} ties to the same table), and every service runs with
 * its own credentials, never the MinIO root's. Regenerate the files with {@code -Daccess.regenerate=true}.
 */
class AccessManifestsTest {
    private static final boolean REGENERATE = Boolean.getBoolean("access.regenerate");

    @Test
    void committedKafkaUsersAreTheGrantsOfServiceAccess() throws Exception {
        Path file = ROOT.resolve(AccessManifests.KAFKA_USERS);
        List<ObjectNode> expected = AccessManifests.kafkaUsers();
        if (REGENERATE) {
            StringBuilder text = new StringBuilder("# Generated from common/access/ServiceAccess.java by AccessManifestsTest"
                    + " (-Daccess.regenerate=true): one SCRAM user per principal, allowed exactly its topics and groups.\n");
            for (ObjectNode user : expected) {
                text.append("---\n").append(AccessManifests.YAML_WRITER.writeValueAsString(user));
            }
            Files.writeString(file, text.toString());
        }
        List<JsonNode> committed = new ArrayList<>();
        try (var parser = RenderedManifests.YAML.getFactory().createParser(file.toFile())) {
            RenderedManifests.YAML.readValues(parser, JsonNode.class).forEachRemaining(committed::add);
        }
        assertEquals(expected, committed.stream().filter(JsonNode::isObject).toList(),
                AccessManifests.KAFKA_USERS + " differs from ServiceAccess; regenerate it with -Daccess.regenerate=true");
    }

    @Test
    void committedStoragePoliciesAreTheGrantsOfServiceAccess() throws Exception {
        Map<String, ObjectNode> expected = AccessManifests.storagePolicies();
        Path dir = ROOT.resolve(AccessManifests.POLICY_DIR);
        if (REGENERATE) {
            Files.createDirectories(dir);
            for (var e : expected.entrySet()) {
                Files.writeString(dir.resolve(e.getKey() + ".json"), AccessManifests.JSON_WRITER.writeValueAsString(e.getValue()) + "\n");
            }
        }
        try (var files = Files.list(dir)) {
            assertEquals(expected.keySet().stream().map(s -> s + ".json").collect(Collectors.toSet()),
                    files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()));
        }
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), AccessManifests.JSON_WRITER.readTree(dir.resolve(e.getKey() + ".json").toFile()),
                    e.getKey() + " policy differs from ServiceAccess; regenerate it with -Daccess.regenerate=true");
        }
    }

    @Test
    void theBrokerAuthenticatesAndAuthorisesEveryClient() throws Exception {
        List<ObjectNode> docs = render("base");
        JsonNode kafka = kind(docs, "Kafka").findFirst().orElseThrow().path("spec").path("kafka");
        assertEquals("simple", kafka.path("authorization").path("type").asText());
        assertFalse(kafka.path("listeners").isEmpty());
        for (JsonNode listener : kafka.path("listeners")) {
            assertTrue(listener.path("tls").asBoolean(), listener + " is not TLS");
            assertEquals("scram-sha-512", listener.path("authentication").path("type").asText(), listener.toString());
        }
        Set<String> users = kind(docs, "KafkaUser").map(u -> u.path("metadata").path("name").asText()).collect(Collectors.toSet());
        Set<String> expected = ServiceAccess.ALL.stream().map(ServiceAccess::principal).collect(Collectors.toCollection(HashSet::new));
        expected.add(AccessManifests.LAG_MONITOR);
        assertEquals(expected, users);
        kind(docs, "ScaledObject").forEach(so -> so.path("spec").path("triggers").forEach(t ->
                assertEquals("kafka-lag-monitor", t.path("authenticationRef").path("name").asText(), RenderedManifests.id(so))));
    }

    @Test
    void everyServiceUsesItsOwnKafkaUserAndStorageKey() throws Exception {
        for (ObjectNode d : kind(render("overlays/local"), "Deployment").toList()) {
            String service = d.path("metadata").path("name").asText();
            JsonNode container = d.path("spec").path("template").path("spec").path("containers").get(0);
            Map<String, JsonNode> env = new HashMap<>();
            container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
            JsonNode jaas = env.get("PIPELINE_KAFKA_SASL_JAAS_CONFIG").path("valueFrom").path("secretKeyRef");
            assertEquals(service, jaas.path("name").asText(), service + ": the Secret Strimzi makes for its KafkaUser");
            assertEquals("sasl.jaas.config", jaas.path("key").asText());
            for (String name : List.of("PIPELINE_STORAGE_ACCESS_KEY", "PIPELINE_STORAGE_SECRET_KEY")) {
                assertEquals(service + "-storage", env.get(name).path("valueFrom").path("secretKeyRef").path("name").asText(), service + " " + name);
            }
            assertFalse(d.toString().contains("minio-credentials"), service + " must not see the MinIO root credentials");
        }
        assertEquals(Set.of(Layout.SERVICES), AccessManifests.storagePolicies().keySet());
    }
}
