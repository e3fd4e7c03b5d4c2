package dev.mnistpipeline.common.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A record written as JSON (an event or a stored document) that carries the major {@code schemaVersion} of its
 * schema. The version is a property of the type, not a value callers pass: records only implement this, and
 * readers check it with {@link Json#readVersioned} before mapping the rest.
 */
@JsonPropertyOrder({"schemaVersion"})
public interface Versioned {
    /** The schema version every record is written with, and the only one readers accept. */
    int CURRENT = 1;

    @JsonProperty("schemaVersion")
    default int schemaVersion() {
        return CURRENT;
    }
}
