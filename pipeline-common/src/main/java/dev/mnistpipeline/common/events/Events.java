package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.data.InvalidDataException;
import dev.mnistpipeline.common.json.Json;

/** Reading events off the wire: JSON plus a schema-version check, with reasons fit for a dead-letter header. */
public final class Events {
    private Events() {
    }

    public static <E extends PipelineEvent> E parse(String payload, Class<E> type) {
        if (payload == null || payload.isBlank()) {
            throw new InvalidDataException("Empty " + type.getSimpleName() + " payload");
        }
        E event = Json.read(payload, type);
        if (event.schemaVersion() != EventTypes.SCHEMA_VERSION) {
            throw new InvalidDataException(type.getSimpleName() + " schemaVersion " + event.schemaVersion()
                    + " is not supported (this service reads version " + EventTypes.SCHEMA_VERSION + ")");
        }
        return event;
    }
}
