package dev.mnistpipeline.e2e.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a rendered manifest against the typed models generated from the Kubernetes OpenAPI schema (fabric8)
 * and the Strimzi and Prometheus Operator CRDs. The models keep unknown fields in {@code additionalProperties}
 * rather than failing, so a misspelt or misplaced field is found by walking the object for any such leftovers.
 * KEDA ships no Java model; its ScaledObject and TriggerAuthentication are checked field by field.
 */
final class ModelValidator {
    static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1/PodMonitor", PodMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class),
            Map.entry("kafka.strimzi.io/v1beta2/Kafka", Kafka.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", KafkaTopic.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaUser", KafkaUser.class));

    private ModelValidator() {
    }

    /** Problems found in one document; empty when it is valid. */
    static List<String> validate(JsonNode doc) {
        String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        List<String> problems = new ArrayList<>();
        if (doc.path("metadata").path("name").asText().isEmpty()) {
            problems.add("metadata.name is missing");
        }
        if (type.equals("keda.sh/v1alpha1/ScaledObject")) {
            validateScaledObject(doc, problems);
            return problems;
        }
        if (type.equals("keda.sh/v1alpha1/TriggerAuthentication")) {
            validateTriggerAuthentication(doc, problems);
            return problems;
        }
        Class<?> model = MODELS.get(type);
        if (model == null) {
            problems.add("no schema known for " + type + ": add its model to ModelValidator");
            return problems;
        }
        try {
            Object parsed = RenderedManifests.YAML.treeToValue(doc, model);
            findUnknownFields(parsed, doc.path("kind").asText(), problems, new IdentityHashMap<>());
        } catch (Exception e) {
            problems.add("does not match the " + type + " schema: " + e.getMessage());
        }
        return problems;
    }

    private static void findUnknownFields(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                findUnknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> findUnknownFields(v, path + "." + k, problems, seen));
            return;
        }
        String pkg = value.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8.") && !pkg.startsWith("io.strimzi.")) {
            return;
        }
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object child = m.invoke(value);
                if (m.getName().equals("getAdditionalProperties")) {
                    if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    findUnknownFields(child, path + "." + decapitalize(m.getName().substring(3)), problems, seen);
                }
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // computed getters that need context; the fields they derive from are walked anyway
            }
        }
    }

    private static void validateScaledObject(JsonNode doc, List<String> problems) {
        JsonNode spec = doc.path("spec");
        for (var it = spec.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("scaleTargetRef", "minReplicaCount", "maxReplicaCount", "cooldownPeriod", "pollingInterval",
                    "idleReplicaCount", "triggers", "advanced", "fallback").contains(f)) {
                problems.add("ScaledObject spec has unknown field " + f);
            }
        }
        if (spec.path("scaleTargetRef").path("name").asText().isEmpty()) {
            problems.add("ScaledObject needs spec.scaleTargetRef.name");
        }
        int min = spec.path("minReplicaCount").asInt(0), max = spec.path("maxReplicaCount").asInt(100);
        if (min < 0 || max < min) {
            problems.add("ScaledObject replica bounds " + min + ".." + max + " are not sane");
        }
        if (!spec.path("triggers").isArray() || spec.path("triggers").isEmpty()) {
            problems.add("ScaledObject needs triggers");
        }
        for (JsonNode t : spec.path("triggers")) {
            if (t.path("type").asText().equals("kafka")) {
                for (String key : List.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold")) {
                    if (!t.path("metadata").path(key).isTextual()) {
                        problems.add("kafka trigger needs metadata." + key + " as a string");
                    }
                }
            }
        }
    }

    private static void validateTriggerAuthentication(JsonNode doc, List<String> problems) {
        for (var it = doc.path("spec").fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("secretTargetRef", "configMapTargetRef", "env", "podIdentity", "hashiCorpVault").contains(f)) {
                problems.add("TriggerAuthentication spec has unknown field " + f);
            }
        }
        for (String ref : List.of("secretTargetRef", "configMapTargetRef")) {
            for (JsonNode r : doc.path("spec").path(ref)) {
                for (String key : List.of("parameter", "name", "key")) {
                    if (!r.path(key).isTextual()) {
                        problems.add(ref + " entry needs " + key);
                    }
                }
            }
        }
    }

    private static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
