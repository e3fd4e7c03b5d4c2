package dev.mnistpipeline.common.quarkus;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import java.time.ZoneId;

/** A run's gauges stay for the retention after it ended, then go; running runs and other meters stay. */
class RetainedMetersTest {
    private Instant now = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void endedRunsLoseTheirMetersAfterTheRetention() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        for (String run : List.of("a", "b")) {
            Gauge.builder("pipeline.training.loss", () -> 1.0).tag("run", run).register(registry);
        }
        Gauge.builder("jvm.other", () -> 1.0).tag("run", "a").register(registry);
        RetainedMeters retained = new RetainedMeters(registry, "run", Duration.ofHours(1), clock);
        retained.ended("a");
        now = now.plus(Duration.ofMinutes(59));
        assertEquals(List.of(), retained.sweep());
        now = now.plus(Duration.ofMinutes(2));
        assertEquals(List.of("a"), retained.sweep());
        assertEquals(1, registry.find("pipeline.training.loss").meters().size(), "b is still running");
        assertEquals(1, registry.find("jvm.other").meters().size(), "only the pipeline's own meters are swept");
        assertEquals(List.of(), retained.sweep());
    }
}
