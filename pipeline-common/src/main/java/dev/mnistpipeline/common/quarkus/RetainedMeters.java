package dev.mnistpipeline.common.quarkus;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-run and per-model meters do not pile up: once the thing they describe has ended ({@link #ended}), its meters
 * stay on {@code /q/metrics} for the retention (dashboards and alerts see the final values), then
 * {@link #sweep} removes them, and with them the value it held. Ten thousand runs would otherwise be ten thousand
 * series per gauge, forever.
 */
public final class RetainedMeters {
    private final MeterRegistry registry;
    private final String tag;
    private final Duration retention;
    private final Clock clock;
    private final Map<String, Instant> ended = new ConcurrentHashMap<>();

    /** @param tag the tag that names the run or model ({@code run}, {@code model}) */
    public RetainedMeters(MeterRegistry registry, String tag, Duration retention, Clock clock) {
        this.registry = registry;
        this.tag = tag;
        this.retention = retention;
        this.clock = clock;
    }

    /** The run or model ended now (a later call keeps the first time). */
    public void ended(String value) {
        ended.putIfAbsent(value, clock.instant());
    }

    /** Removes the meters of everything that ended more than the retention ago; returns those values. */
    public List<String> sweep() {
        Instant cutoff = clock.instant().minus(retention);
        List<String> removed = new ArrayList<>();
        ended.forEach((value, at) -> {
            if (at.isBefore(cutoff)) {
                List<Meter> meters = registry.getMeters().stream()
                        .filter(m -> m.getId().getName().startsWith("pipeline.") && value.equals(m.getId().getTag(tag))).toList();
                meters.forEach(registry::remove);
                ended.remove(value);
                removed.add(value);
            }
        });
        return removed;
    }
}
