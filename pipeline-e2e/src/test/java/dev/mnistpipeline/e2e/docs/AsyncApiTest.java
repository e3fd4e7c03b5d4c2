package dev.mnistpipeline.e2e.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.mnistpipeline.common.messaging.Topics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed AsyncAPI document is the one the code makes (topics, event records, grants), so it cannot drift;
 * regenerate it with {@code -Dasyncapi.regenerate=true}.
 */
class AsyncApiTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final Path FILE = Path.of("..").resolve(AsyncApiDocument.FILE);

    @Test
    void theCommittedDocumentIsTheOneTheCodeMakes() throws Exception {
        ObjectNode expected = AsyncApiDocument.build();
        if (Boolean.getBoolean("asyncapi.regenerate")) {
            Files.writeString(FILE, "# Generated from the code by AsyncApiTest (-Dasyncapi.regenerate=true): Topics, the event records, ServiceAccess.\n"
                    + YAML.writeValueAsString(expected));
        }
        assertEquals(expected, YAML.readTree(FILE.toFile()),
                AsyncApiDocument.FILE + " differs from the code; regenerate it with -Dasyncapi.regenerate=true");
    }

    @Test
    void everyTopicHasAChannelAndEveryPayloadAVersion() {
        JsonNode doc = AsyncApiDocument.build();
        Set<String> expected = new HashSet<>(Topics.ALL);
        Topics.CONSUMED.forEach(t -> expected.add(Topics.deadLetter(t)));
        Set<String> channels = new HashSet<>();
        doc.path("channels").fieldNames().forEachRemaining(channels::add);
        assertEquals(expected, channels);
        for (String topic : Topics.ALL) {
            JsonNode schema = doc.path("components").path("schemas").path(Topics.EVENTS.get(topic).getSimpleName());
            assertTrue(schema.path("required").toString().contains("schemaVersion"), topic);
            assertTrue(schema.path("properties").size() > 2, topic + " payload has its fields");
        }
        assertTrue(doc.path("operations").has("samples-publisher.send.samples.submitted"));
        assertTrue(doc.path("operations").has("ingest-service.receive.samples.submitted"));
    }
}
