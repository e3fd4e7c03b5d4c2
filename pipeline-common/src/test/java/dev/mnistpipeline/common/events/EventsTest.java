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

    @ParameterizedTest(name = "{0} round-trips with its schema version")
    @MethodSource("written")
    void aWrittenEventReadsBack(String name, PipelineEvent event) {
        String json = Json.write(event);
        assertTrue(json.contains("\"schemaVersion\":1"), json);
        assertEquals(event, Events.parse(json, event.getClass()));
    }

    static Stream<Arguments> written() {
        return Stream.of(new SampleSubmitted("s1", 3, "AAAA", null, "mnist"),
                        new TrainingRequested("run-1", "pp-1", "abc", Hyperparameters.builder().epochs(3).build(), null),
                        new InferenceRequested("r1", "AAAA", null))
                .map(e -> Arguments.of(e.getClass().getSimpleName(), e));
    }
}
