package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.json.Json;

/** Reading events off the wire: JSON plus a schema-version check, with reasons fit for a dead-letter header. */
public final class Events {
    private Events() {
    }

    /**
     * @throws dev.mnistpipeline.common.errors.InvalidDataException for anything that is not a readable event of this
     *                                                              type, or whose ids are not well-formed
     */
    public static <E extends PipelineEvent> E parse(String payload, Class<E> type) {
        E event = Json.readVersioned(payload, type);
        event.checkIds();
        return event;
    }
}
