package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.quarkus.RetainedMeters;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.mnistpipeline.common.events.TrainingMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Training progress as Prometheus gauges on {@code /q/metrics}, tagged by run: {@code pipeline_training_loss},
 * {@code pipeline_training_accuracy}, {@code pipeline_training_validation_accuracy},
 * {@code pipeline_training_images_per_second} and {@code pipeline_training_progress} (fraction of steps done); and
 * {@code pipeline_training_runs_ended_total{outcome}} (completed, failed, cancelled).
 * A run's gauges go {@code pipeline.metrics.retention} (default 1 h) after it ended.
 */
@ApplicationScoped
public class TrainingGauges {
    private final MeterRegistry registry;
    private final RetainedMeters retained;

    public TrainingGauges(MeterRegistry registry,
                          @ConfigProperty(name = "pipeline.metrics.retention", defaultValue = "1h") Duration retention) {
        this.registry = registry;
        this.retained = new RetainedMeters(registry, "run", retention, Clock.systemUTC());
    }

    /** Last step or epoch event per run; completed/failed events carry no loss, so the curves keep these. */
    private final Map<String, TrainingMetrics> latest = new ConcurrentHashMap<>();
    /** Validation accuracy only comes with epoch events; held between them so the gauge does not flicker. */
    private final Map<String, Double> validation = new ConcurrentHashMap<>();

    /** Records a progress event; returns the runs whose gauges were removed after the retention (they ended long ago). */
    public List<String> record(TrainingMetrics m) {
        if (m.phase().ended()) {
            retained.ended(m.runId());
            // per outcome, never per run: what the failed-runs alert counts
            registry.counter("pipeline.training.runs.ended", "outcome", m.phase().wire()).increment();
        }
        List<String> removed = retained.sweep();
        removed.forEach(run -> {
            latest.remove(run);
            validation.remove(run);
        });
        if (!latest.containsKey(m.runId()) && (m.phase() == RunPhase.STARTED || m.phase() == RunPhase.STEP)) {
            register(m.runId());
        }
        if (m.phase() == RunPhase.STEP || m.phase() == RunPhase.EPOCH) {
            latest.put(m.runId(), m);
        }
        if (m.validationAccuracy() != null) {
            validation.put(m.runId(), m.validationAccuracy());
        }
        return removed;
    }

    private void register(String runId) {
        latest.putIfAbsent(runId, new TrainingMetrics(runId, RunPhase.STARTED, 0, 0, 0, 0, Double.NaN, Double.NaN, null, 0, null, null));
        gauge("pipeline.training.loss", runId, TrainingMetrics::loss);
        gauge("pipeline.training.accuracy", runId, TrainingMetrics::accuracy);
        Gauge.builder("pipeline.training.validation.accuracy", validation, v -> v.getOrDefault(runId, Double.NaN))
                .tag("run", runId).strongReference(true).register(registry);
        gauge("pipeline.training.images.per.second", runId, TrainingMetrics::imagesPerSecond);
        gauge("pipeline.training.progress", runId, m -> m.totalSteps() == 0 ? 0 : m.step() / (double) m.totalSteps());
    }

    private void gauge(String name, String runId, ToDoubleFunction<TrainingMetrics> value) {
        Gauge.builder(name, latest, all -> {
            TrainingMetrics m = all.get(runId);
            return m == null ? Double.NaN : value.applyAsDouble(m);
        }).tag("run", runId).strongReference(true).register(registry);
    }
}
