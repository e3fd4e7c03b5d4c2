package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever arrives on a consumed topic, reading it either gives an event or fails with {@link InvalidDataException}
 * and a reason (which the consumer dead-letters): never a {@code NullPointerException} or another exception that
 * would stop the stream.
 */
class EventsTest {
    /** Every event type a service consumes. */
    static final List<Class<? extends PipelineEvent>> CONSUMED = List.of(SampleSubmitted.class, DatasetIngested.class,
            DatasetPrepared.class, TrainingRequested.class, ModelTrained.class, InferenceRequested.class, TrainingMetrics.class);
    static final List<String> POISON = List.of("null", "[]", "{}", "42", "\"text\"", "{\"schemaVersion\":1,\"runId\":",
            "{\"schemaVersion\":2}", "{\"schemaVersion\":\"one\"}", "", "   ");

    static Stream<Arguments> poison() {
        return CONSUMED.stream().flatMap(type -> POISON.stream().map(payload -> Arguments.of(type.getSimpleName(), type, payload)));
    }

    @ParameterizedTest(name = "{0} from {2}")
    @MethodSource("poison")
    void poisonIsRefusedWithAReason(String name, Class<? extends PipelineEvent> type, String payload) {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> Events.parse(payload, type));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void aFieldOfTheWrongTypeIsRefused() {
        var e = assertThrows(InvalidDataException.class,
                () -> Events.parse("{\"schemaVersion\":1,\"datasetId\":\"ds-1\",\"trainCount\":\"many\"}", DatasetIngested.class));
        assertTrue(e.getMessage().contains("Malformed DatasetIngested"), e.getMessage());
    }

    static final List<String> BAD_IDS = List.of("../../../../escape-run", "<img src=x onerror=alert(1)>", "a".repeat(5000), "",
            "..", "run/../../registry", "run%2F..%2Fregistry", " run");

    /** Each consumed event, well-formed, with one id field named {@code FIELD} to be replaced by a bad one. */
    static final List<String> WITH_ID = List.of(
            "SampleSubmitted|{\"schemaVersion\":1,\"sampleId\":FIELD,\"label\":1,\"pixels\":\"AAAA\"}",
            "SampleSubmitted|{\"schemaVersion\":1,\"sampleId\":\"s1\",\"dataset\":FIELD,\"label\":1,\"pixels\":\"AAAA\"}",
            "DatasetIngested|{\"schemaVersion\":1,\"datasetId\":FIELD,\"name\":\"mnist\"}",
            "DatasetIngested|{\"schemaVersion\":1,\"datasetId\":\"ds-0123456789abcdef\",\"name\":FIELD}",
            "DatasetIngested|{\"schemaVersion\":1,\"datasetId\":\"ds-0123456789abcdef\",\"name\":\"mnist\",\"parentId\":FIELD}",
            "DatasetPrepared|{\"schemaVersion\":1,\"preparedId\":FIELD,\"datasetId\":\"ds-0123456789abcdef\"}",
            "DatasetPrepared|{\"schemaVersion\":1,\"preparedId\":\"pp-0123456789abcdef\",\"datasetId\":FIELD}",
            "TrainingRequested|{\"schemaVersion\":1,\"runId\":FIELD}",
            "TrainingRequested|{\"schemaVersion\":1,\"runId\":\"r1\",\"preparedId\":FIELD}",
            "TrainingRequested|{\"schemaVersion\":1,\"runId\":\"r1\",\"hyperparameters\":{\"baseModelId\":FIELD}}",
            "ModelTrained|{\"schemaVersion\":1,\"modelId\":FIELD,\"runId\":\"r1\",\"preparedId\":\"pp-0123456789abcdef\",\"datasetId\":\"ds-0123456789abcdef\"}",
            "ModelTrained|{\"schemaVersion\":1,\"modelId\":\"model-r1\",\"runId\":FIELD,\"preparedId\":\"pp-0123456789abcdef\",\"datasetId\":\"ds-0123456789abcdef\"}",
            "InferenceRequested|{\"schemaVersion\":1,\"requestId\":FIELD,\"pixels\":\"AAAA\"}",
            "InferenceRequested|{\"schemaVersion\":1,\"requestId\":\"q1\",\"pixels\":\"AAAA\",\"model\":FIELD}",
            "InferenceRequested|{\"schemaVersion\":1,\"requestId\":\"q1\",\"pixels\":\"AAAA\",\"version\":FIELD}",
            "TrainingRequested|{\"schemaVersion\":1,\"runId\":\"r1\",\"registeredModel\":FIELD}");

    static Stream<Arguments> badIds() {
        return WITH_ID.stream().flatMap(t -> BAD_IDS.stream().map(id -> Arguments.of(t.substring(0, t.indexOf('|')),
                t.substring(t.indexOf('|') + 1), id)));
    }

    @ParameterizedTest(name = "{0}: {1} with a bad id")
    @MethodSource("badIds")
    void badIdsAreRefusedWithoutBeingEchoed(String type, String template, String id) throws Exception {
        @SuppressWarnings("unchecked")
        Class<? extends PipelineEvent> eventType = (Class<? extends PipelineEvent>) Class.forName("dev.mnistpipeline.common.events." + type);
        String good = template.replace("FIELD", "\"" + (template.contains("\"modelId\":FIELD") ? "model-r1"
                : template.contains("baseModelId\":FIELD") ? "model-r0" : template.contains("Id\":FIELD") && template.contains("dataset")
                && !template.contains("preparedId\":FIELD") && !template.contains("\"runId\":FIELD") ? "ds-0123456789abcdef"
                : template.contains("preparedId\":FIELD") ? "pp-0123456789abcdef" : template.contains("\"name\":FIELD") || template.contains("\"dataset\":FIELD") ? "mnist" : "r1") + "\"");
        Events.parse(good, eventType); // the template itself is well-formed
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> Events.parse(template.replace("FIELD", Json.write(id)), eventType));
        assertTrue(e.getMessage().contains("must be"), e.getMessage());
        assertTrue(!e.getMessage().contains("<") && !e.getMessage().contains("/") && e.getMessage().length() < 300, e.getMessage());
    }

    @ParameterizedTest(name = "{0} round-trips with its schema version")
    @MethodSource("written")
    void aWrittenEventReadsBack(String name, PipelineEvent event) {
        String json = Json.write(event);
        assertTrue(json.contains("\"schemaVersion\":1"), json);
        assertEquals(event, Events.parse(json, event.getClass()));
    }

    static Stream<Arguments> written() {
        return Stream.of(new SampleSubmitted("s1", 3, "AAAA", null, "mnist"),
                        new TrainingRequested("run-1", "pp-0123456789abcdef", "abc", Hyperparameters.builder().epochs(3).build(), null, "fashion-mnist"),
                        new InferenceRequested("r1", "AAAA", null, null, null),
                        new InferenceRequested("r2", "AAAA", null, "fashion-mnist", "staging"))
                .map(e -> Arguments.of(e.getClass().getSimpleName(), e));
    }
}
