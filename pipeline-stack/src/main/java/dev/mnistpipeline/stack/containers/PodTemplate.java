package dev.mnistpipeline.stack.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@code deploy/base/services/<service>.yaml} runs a service, read from the manifest itself so that a container
 * started from it keeps the manifest's promises: its user, read-only root filesystem with only the emptyDir mounts
 * writable, dropped capabilities, no privilege escalation, memory limit, and the environment of its ConfigMap and
 * of its literal {@code env} entries.
 *
 * @param configEnv   the ConfigMap's data, as the pod gets it ({@code envFrom})
 * @param literalEnv  the container's {@code env} entries with a literal value (secrets and field refs are the stack's)
 * @param otherMounts mounts that are not emptyDirs (secrets): listed so a caller can say what it supplies instead
 */
public record PodTemplate(String service, String user, boolean readOnlyRoot, List<String> writablePaths,
                          boolean dropAllCapabilities, boolean noNewPrivileges, long memoryBytes, int httpPort,
                          Map<String, String> configEnv, Map<String, String> literalEnv, List<String> otherMounts) {
    /** The user of every image (deploy/images); the manifests' runAsUser. */
    public static final String DEFAULT_USER = "185";

    /** ConfigMap keys that name the cluster's own addresses and transport; a stack supplies its own for these. */
    public static final Set<String> CLUSTER_WIRING = Set.of("KAFKA_BOOTSTRAP_SERVERS", "PIPELINE_KAFKA_SECURITY_PROTOCOL",
            "PIPELINE_KAFKA_SASL_MECHANISM", "PIPELINE_KAFKA_TRUSTSTORE_LOCATION", "PIPELINE_STORAGE_ENDPOINT",
            "PIPELINE_OTLP_ENDPOINT");

    public static PodTemplate read(Path deployDir, String service) {
        Path file = deployDir.resolve("base/services").resolve(service + ".yaml");
        JsonNode deployment = null;
        JsonNode config = null;
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                String kind = doc.path("kind").asText();
                if (kind.equals("Deployment")) {
                    deployment = doc;
                } else if (kind.equals("ConfigMap") && doc.path("metadata").path("name").asText().equals(service + "-config")) {
                    config = doc;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        if (deployment == null || config == null) {
            throw new IllegalStateException(file + " has no Deployment or no ConfigMap " + service + "-config");
        }
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").path(0);
        JsonNode security = container.path("securityContext");
        String user = container.path("securityContext").path("runAsUser").asText(pod.path("securityContext").path("runAsUser").asText(""));
        if (user.isEmpty() || user.equals("0")) {
            throw new IllegalStateException(file + ": the pod must name a non-root runAsUser");
        }
        Map<String, String> emptyDirs = new LinkedHashMap<>();
        pod.path("volumes").forEach(v -> emptyDirs.put(v.path("name").asText(), v.has("emptyDir") ? "emptyDir" : "other"));
        List<String> writable = new ArrayList<>();
        List<String> other = new ArrayList<>();
        container.path("volumeMounts").forEach(m -> {
            String path = m.path("mountPath").asText();
            if ("emptyDir".equals(emptyDirs.get(m.path("name").asText()))) {
                writable.add(path);
            } else {
                other.add(path);
            }
        });
        boolean dropAll = false;
        for (JsonNode cap : security.path("capabilities").path("drop")) {
            dropAll |= cap.asText().equals("ALL");
        }
        Map<String, String> configEnv = new LinkedHashMap<>();
        config.path("data").fields().forEachRemaining(e -> configEnv.put(e.getKey(), e.getValue().asText()));
        Map<String, String> literalEnv = new LinkedHashMap<>();
        container.path("env").forEach(e -> {
            if (e.has("value")) {
                literalEnv.put(e.path("name").asText(), e.path("value").asText());
            }
        });
        int port = 8080;
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals("http")) {
                port = p.path("containerPort").asInt();
            }
        }
        return new PodTemplate(service, user, security.path("readOnlyRootFilesystem").asBoolean(false), List.copyOf(writable),
                dropAll, !security.path("allowPrivilegeEscalation").asBoolean(true),
                quantityBytes(container.path("resources").path("limits").path("memory").asText("")),
                port, configEnv, literalEnv, List.copyOf(other));
    }

    /** A Kubernetes memory quantity ({@code 1536Mi}, {@code 2Gi}, {@code 512M}, bytes) in bytes; 0 when absent. */
    static long quantityBytes(String quantity) {
        if (quantity.isBlank()) {
            return 0;
        }
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}};
        for (String[] unit : units) {
            if (quantity.endsWith(unit[0])) {
                return Long.parseLong(quantity.substring(0, quantity.length() - unit[0].length())) * Long.parseLong(unit[1]);
            }
        }
        return Long.parseLong(quantity);
    }

    /**
     * The environment the pod runs with, on a stack that supplies its own wiring: the ConfigMap without
     * {@link #CLUSTER_WIRING}, then the literal env entries, then {@code wiring}.
     */
    public Map<String, String> env(Map<String, String> wiring) {
        Map<String, String> env = new LinkedHashMap<>(configEnv);
        env.keySet().removeAll(CLUSTER_WIRING);
        env.putAll(literalEnv);
        env.putAll(wiring);
        return env;
    }

    /** This pod as a container on {@code network} (named as its Service there), published on 127.0.0.1:{@code hostPort}. */
    public ContainerSpec container(String name, String image, String network, Map<String, String> env, int hostPort) {
        return new ContainerSpec(name, image, network, service, env, user, readOnlyRoot, writablePaths, dropAllCapabilities,
                noNewPrivileges, memoryBytes, Map.of(httpPort, hostPort), Map.of());
    }
}
