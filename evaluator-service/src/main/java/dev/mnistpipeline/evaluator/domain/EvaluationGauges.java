package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.quarkus.RetainedMeters;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;

import dev.mnistpipeline.common.manifest.EvaluationReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Evaluation results as Prometheus gauges on {@code /q/metrics}, tagged by model: {@code pipeline_evaluation_accuracy},
 * {@code pipeline_evaluation_f1_macro}, {@code pipeline_evaluation_log_loss} and
 * {@code pipeline_evaluation_calibration_error}. The newest model's stay; older ones go {@code pipeline.metrics.retention}
 * (default 1 h) after a newer model was evaluated.
 */
@ApplicationScoped
public class EvaluationGauges {
    private final MeterRegistry registry;
    private final RetainedMeters retained;

    public EvaluationGauges(MeterRegistry registry,
                            @ConfigProperty(name = "pipeline.metrics.retention", defaultValue = "1h") Duration retention) {
        this.registry = registry;
        this.retained = new RetainedMeters(registry, "model", retention, Clock.systemUTC());
    }

    private final Map<String, EvaluationReport> reports = new ConcurrentHashMap<>();

    public void record(EvaluationReport report) {
        // Superseded: every model evaluated before this one keeps its gauges for the retention, then they go.
        reports.keySet().stream().filter(m -> !m.equals(report.modelId())).forEach(retained::ended);
        retained.sweep().forEach(reports::remove);
        if (reports.put(report.modelId(), report) == null) {
            String model = report.modelId();
            gauge("pipeline.evaluation.accuracy", model, EvaluationReport::accuracy);
            gauge("pipeline.evaluation.f1.macro", model, r -> r.macro().f1());
            gauge("pipeline.evaluation.log.loss", model, EvaluationReport::logLoss);
            gauge("pipeline.evaluation.calibration.error", model, r -> r.calibration().expectedCalibrationError());
        }
    }

    private void gauge(String name, String model, ToDoubleFunction<EvaluationReport> value) {
        Gauge.builder(name, reports, all -> value.applyAsDouble(all.get(model)))
                .tag("model", model).strongReference(true).register(registry);
    }
}
