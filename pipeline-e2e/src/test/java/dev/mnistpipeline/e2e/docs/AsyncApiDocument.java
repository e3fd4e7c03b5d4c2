package dev.mnistpipeline.e2e.docs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.messaging.Topics;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The AsyncAPI 3.0 document of the pipeline's Kafka topics, made from the code: channels from {@link Topics} (and
 * their dead-letter topics), payload schemas from the event records, who sends and receives what from
 * {@link ServiceAccess}, and the headers every record carries (CloudEvents binary mode, W3C trace context).
 * {@code AsyncApiTest} checks the committed {@value #FILE} against it.
 */
final class AsyncApiDocument {
    static final String FILE = "docs/asyncapi.yaml";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AsyncApiDocument() {
    }

    static ObjectNode build() {
        ObjectNode doc = JSON.objectNode();
        doc.put("asyncapi", "3.0.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "mnist-pipeline events");
        info.put("version", "0.1.0");
        info.put("description", "Every Kafka topic of the pipeline. Payloads are JSON records with a major schemaVersion; "
                + "heavy data stays in object storage and events carry its keys and SHA-256. Records are keyed by the "
                + "entity they announce, so related events stay ordered on one partition.");
        doc.put("defaultContentType", "application/json");
        ObjectNode servers = doc.putObject("servers");
        server(servers, "local", "127.0.0.1:9092", "kafka", "./pipeline up: SASL/SCRAM-SHA-512 over plaintext on loopback");
        server(servers, "cluster", "pipeline-kafka-bootstrap:9093", "kafka-secure", "deploy/: Strimzi, TLS with SCRAM-SHA-512");

        ObjectNode channels = doc.putObject("channels");
        ObjectNode operations = doc.putObject("operations");
        ObjectNode components = doc.putObject("components");
        ObjectNode messages = components.putObject("messages");
        ObjectNode schemas = components.putObject("schemas");
        schemas.set("RecordHeaders", recordHeaders());
        schemas.set("DeadLetterHeaders", deadLetterHeaders());
        for (String topic : Topics.ALL) {
            Class<?> event = Topics.EVENTS.get(topic);
            String name = event.getSimpleName();
            ObjectNode message = messages.putObject(name);
            message.put("name", name);
            message.put("title", topic);
            message.put("contentType", "application/json");
            message.putObject("headers").put("$ref", "#/components/schemas/RecordHeaders");
            message.putObject("payload").put("$ref", "#/components/schemas/" + name);
            message.putObject("bindings").putObject("kafka").putObject("key").put("type", "string");
            schema(event, schemas);
            ObjectNode channel = channels.putObject(topic);
            channel.put("address", topic);
            channel.putObject("messages").putObject(name).put("$ref", "#/components/messages/" + name);
            if (Topics.CONSUMED.contains(topic)) {
                String dlq = Topics.deadLetter(topic);
                ObjectNode dead = messages.putObject(name + "DeadLetter");
                dead.put("name", name + "DeadLetter");
                dead.put("title", dlq);
                dead.put("summary", "A record of " + topic + " its consumer could not process, as it arrived, with the reason");
                dead.putObject("headers").put("$ref", "#/components/schemas/DeadLetterHeaders");
                dead.putObject("payload").put("type", "string");
                ObjectNode dlqChannel = channels.putObject(dlq);
                dlqChannel.put("address", dlq);
                dlqChannel.putObject("messages").putObject(name + "DeadLetter").put("$ref", "#/components/messages/" + name + "DeadLetter");
            }
        }
        for (ServiceAccess access : ServiceAccess.ALL) {
            access.writeTopics().forEach(t -> operation(operations, access.principal(), "send", t, channels));
            access.readTopics().forEach(t -> operation(operations, access.principal(), "receive", t, channels));
        }
        return doc;
    }

    private static void server(ObjectNode servers, String name, String host, String protocol, String description) {
        ObjectNode s = servers.putObject(name);
        s.put("host", host);
        s.put("protocol", protocol);
        s.put("description", description);
    }

    private static void operation(ObjectNode operations, String principal, String action, String topic, ObjectNode channels) {
        ObjectNode op = operations.putObject(principal + "." + action + "." + topic);
        op.put("action", action);
        op.putObject("channel").put("$ref", "#/channels/" + topic.replace("/", "~1"));
        op.put("summary", principal + (action.equals("send") ? " publishes to " : " consumes ") + topic);
        if (!channels.has(topic)) {
            throw new IllegalStateException(principal + " uses " + topic + ", which has no channel");
        }
    }

    private static ObjectNode recordHeaders() {
        ObjectNode h = JSON.objectNode();
        h.put("type", "object");
        ObjectNode p = h.putObject("properties");
        header(p, "ce_specversion", "CloudEvents spec version (1.0)");
        header(p, "ce_id", "deterministic event id: a redelivered or re-sent event keeps it");
        header(p, "ce_type", "the topic name");
        header(p, "ce_source", "urn:mnist-pipeline:<service>");
        header(p, "ce_subject", "the record key");
        header(p, "ce_time", "when it was published");
        header(p, "traceparent", "W3C trace context: one trace from a REST call through every event it leads to");
        return h;
    }

    private static ObjectNode deadLetterHeaders() {
        ObjectNode h = JSON.objectNode();
        h.put("type", "object");
        ObjectNode p = h.putObject("properties");
        header(p, "dead-letter-reason", "why the record was refused");
        header(p, "dead-letter-cause", "the underlying error, if any");
        header(p, "dead-letter-topic", "the topic it came from");
        header(p, "dead-letter-partition", "its partition there");
        header(p, "dead-letter-offset", "its offset there");
        header(p, "pipeline-replayed-from", "set on a record ./pipeline dlq replay put back: <dlq>/<partition>/<offset>");
        return h;
    }

    private static void header(ObjectNode properties, String name, String description) {
        properties.putObject(name).put("type", "string").put("description", description);
    }

    /** A JSON schema of a record type, its nested records added to {@code schemas}; returns a $ref to it. */
    private static ObjectNode schema(Class<?> type, ObjectNode schemas) {
        String name = type.getSimpleName();
        if (!schemas.has(name)) {
            ObjectNode s = schemas.putObject(name);
            s.put("type", "object");
            ObjectNode properties = s.putObject("properties");
            if (Versioned.class.isAssignableFrom(type)) {
                properties.putObject("schemaVersion").put("type", "integer").put("const", Versioned.CURRENT);
                s.putArray("required").add("schemaVersion");
            }
            for (RecordComponent c : type.getRecordComponents()) {
                properties.set(c.getName(), typeSchema(c.getGenericType(), schemas));
            }
        }
        return JSON.objectNode().put("$ref", "#/components/schemas/" + name);
    }

    private static ObjectNode typeSchema(Type type, ObjectNode schemas) {
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            if (List.class.isAssignableFrom(raw)) {
                ObjectNode array = JSON.objectNode().put("type", "array");
                array.set("items", typeSchema(p.getActualTypeArguments()[0], schemas));
                return array;
            }
            if (Map.class.isAssignableFrom(raw)) {
                ObjectNode map = JSON.objectNode().put("type", "object");
                map.set("additionalProperties", typeSchema(p.getActualTypeArguments()[1], schemas));
                return map;
            }
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return JSON.objectNode().put("type", "string");
        }
        if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
            return JSON.objectNode().put("type", "integer");
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
            return JSON.objectNode().put("type", "number");
        }
        if (c == boolean.class || c == Boolean.class) {
            return JSON.objectNode().put("type", "boolean");
        }
        if (c == Instant.class) {
            return JSON.objectNode().put("type", "string").put("format", "date-time");
        }
        if (c.isArray()) {
            ObjectNode array = JSON.objectNode().put("type", "array");
            array.set("items", typeSchema(c.getComponentType(), schemas));
            return array;
        }
        if (c.isEnum()) {
            ObjectNode e = JSON.objectNode().put("type", "string");
            for (Object constant : c.getEnumConstants()) {
                e.withArray("enum").add(constant.toString());
            }
            return e;
        }
        if (c.isRecord()) {
            return schema(c, schemas);
        }
        throw new IllegalStateException("no schema mapping for " + c + "; add one to AsyncApiDocument");
    }
}
