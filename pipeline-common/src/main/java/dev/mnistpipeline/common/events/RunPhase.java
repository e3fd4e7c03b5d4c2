package dev.mnistpipeline.common.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Where a training run is, as {@code training.metrics} reports it; on the wire, the lowercase name. The one list of
 * phases the trainer, the dashboard, the sweeps and the CLI share.
 */
public enum RunPhase {
    STARTED, RESUMED, STEP, EPOCH,
    /** A test-accuracy check the run asked for: {@code accuracy} is the test accuracy. */
    CHECK,
    /** It cannot start now (another trainer holds it, its dataset is not prepared yet): {@code message} says why. */
    WAITING,
    COMPLETED, FAILED, CANCELLED,
    /** The trainer will never start it (invalid settings, over the cost cap): {@code message} says why. */
    REFUSED;

    /** Whether the run is over: completed, failed, cancelled or refused. */
    public boolean ended() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == REFUSED;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RunPhase of(String wire) {
        for (RunPhase p : values()) {
            if (p.wire().equals(wire)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown run phase '" + wire + "'");
    }

    @Override
    public String toString() {
        return wire();
    }
}
