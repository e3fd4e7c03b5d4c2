package dev.mnistpipeline.e2e.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.storage.StorageConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * deploy/'s grants as {@link ServiceAccess} defines them: a Strimzi {@code KafkaUser} per principal (plus KEDA's lag
 * reader) and a MinIO policy per service. {@code AccessManifestsTest} checks the committed files against these, and
 * rewrites them when run with {@code -Daccess.regenerate=true}.
 */
final class AccessManifests {
    static final String KAFKA_USERS = "deploy/base/kafka/users.yaml";
    static final String POLICY_DIR = "deploy/base/minio/policies";
    /** KEDA reads consumer lag: it describes the scaled groups and their topics, and reads nothing. */
    static final String LAG_MONITOR = "keda-lag-monitor";
    static final String CLUSTER = "pipeline";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final ObjectMapper YAML_WRITER = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    static final ObjectMapper JSON_WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AccessManifests() {
    }

    static List<ObjectNode> kafkaUsers() {
        List<ObjectNode> users = new ArrayList<>();
        for (ServiceAccess access : ServiceAccess.ALL) {
            ArrayNode acls = JSON.arrayNode();
            access.readTopics().forEach(t -> acls.add(acl("topic", t, "literal", "Read", "Describe")));
            access.writeTopics().forEach(t -> acls.add(acl("topic", t, "literal", "Write", "Describe")));
            if (access.hasConsumerGroup()) {
                acls.add(acl("group", access.principal(), "literal", "Read"));
            }
            if (!access.groupPrefix().isEmpty()) {
                acls.add(acl("group", access.groupPrefix(), "prefix", "Read"));
            }
            users.add(kafkaUser(access.principal(), acls));
        }
        ArrayNode lag = JSON.arrayNode();
        for (ServiceAccess access : ServiceAccess.ALL) {
            if (access.hasConsumerGroup()) {
                access.consumes().forEach(t -> lag.add(acl("topic", t, "literal", "Describe")));
                lag.add(acl("group", access.principal(), "literal", "Describe"));
            }
        }
        users.add(kafkaUser(LAG_MONITOR, lag));
        return users;
    }

    private static ObjectNode kafkaUser(String name, ArrayNode acls) {
        ObjectNode user = JSON.objectNode();
        user.put("apiVersion", "kafka.strimzi.io/v1beta2");
        user.put("kind", "KafkaUser");
        ObjectNode metadata = user.putObject("metadata");
        metadata.put("name", name);
        metadata.putObject("labels").put("strimzi.io/cluster", CLUSTER);
        ObjectNode spec = user.putObject("spec");
        spec.putObject("authentication").put("type", "scram-sha-512");
        ObjectNode authorization = spec.putObject("authorization");
        authorization.put("type", "simple");
        authorization.set("acls", acls);
        return user;
    }

    private static ObjectNode acl(String type, String name, String pattern, String... operations) {
        ObjectNode acl = JSON.objectNode();
        acl.putObject("resource").put("type", type).put("name", name).put("patternType", pattern);
        ArrayNode ops = acl.putArray("operations");
        for (String op : operations) {
            ops.add(op);
        }
        return acl;
    }

    /** The MinIO policy of each service that uses storage, by service name. */
    static Map<String, ObjectNode> storagePolicies() {
        Map<String, ObjectNode> policies = new LinkedHashMap<>();
        String bucket = "arn:aws:s3:::" + StorageConfig.DEFAULT_BUCKET;
        for (ServiceAccess access : ServiceAccess.ALL) {
            if (!access.usesStorage()) {
                continue;
            }
            ObjectNode policy = JSON.objectNode();
            policy.put("Version", "2012-10-17");
            ArrayNode statements = policy.putArray("Statement");
            // Readiness probes the bucket (HEAD, authorised as ListBucket); listing shows names, not content.
            statements.add(statement(List.of("s3:GetBucketLocation", "s3:ListBucket"), List.of(bucket)));
            if (!access.readPrefixes().isEmpty()) {
                statements.add(statement(List.of("s3:GetObject"),
                        access.readPrefixes().stream().map(p -> bucket + "/" + p + "*").toList()));
            }
            statements.add(statement(List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts"), access.writePrefixes().stream().map(p -> bucket + "/" + p + "*").toList()));
            policies.put(access.principal(), policy);
        }
        return policies;
    }

    private static ObjectNode statement(List<String> actions, List<String> resources) {
        ObjectNode s = JSON.objectNode();
        s.put("Effect", "Allow");
        actions.forEach(s.putArray("Action")::add);
        resources.forEach(s.putArray("Resource")::add);
        return s;
    }
}
