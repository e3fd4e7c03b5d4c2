package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.json.Json;

/** Reading events off the wire: JSON plus a schema-version check, with reasons fit for a dead-letter header. */
public final class Events {
    private Events() {
    }

    /** @throws dev.mnistpipeline.common.errors.InvalidDataException for anything that is not a readable event of this type */
    public static <E extends PipelineEvent> E parse(String payload, Class<E> type) {
        return Json.readVersioned(payload, type);
    }
}
