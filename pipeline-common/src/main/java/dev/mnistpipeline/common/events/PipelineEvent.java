package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.json.Versioned;

/**
 * Every event on a pipeline topic. Events are JSON records; they carry CloudEvents attributes as Kafka headers
 * ({@code ce_id}, {@code ce_type}, {@code ce_source}, {@code ce_time}) and are keyed by {@link #key()}.
 *
 * <p>The event id is derived from the entity it announces, so a redelivered or re-sent event keeps its id and
 * consumers can recognise it.
 */
public interface PipelineEvent extends Versioned {
    /** Kafka record key: the dataset or run id, so related events stay ordered on one partition. */
    String key();

    /** CloudEvents {@code type}, e.g. {@code dataset.ingested}. */
    String type();

    /**
     * Refuses (with {@code InvalidDataException}) an event whose ids do not have their shape; {@link Events#parse}
     * calls it for every event read off a topic. Events that no service consumes need not override it.
     */
    default void checkIds() {
    }

    /** Deterministic CloudEvents {@code id}. */
    default String eventId() {
        return type() + ":" + key();
    }
}
