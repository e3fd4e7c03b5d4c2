package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.runs.RunRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run as the run list shows it: its record without the curves and the state history, so that ten thousand fit in
 * memory and a page of them in one small answer ({@code GET /runs/{id}} gives the whole record).
 *
 * @param epochsDone epoch points in its record
 */
public record RunSummary(String runId, String state, String reason, RunRecord.Origin origin, String registeredModel,
                         String preparedId, String datasetId, String dataset, String architecture,
                         Hyperparameters hyperparameters, Instant createdAt, Instant updatedAt, int epochsDone,
                         Map<String, Double> figures, String modelId, String evaluationId, List<String> tags,
                         String note) {

    public static RunSummary of(RunRecord r) {
        return new RunSummary(r.runId(), r.state(), r.reason(), r.origin(), r.registeredModel(), r.preparedId(),
                r.datasetId(), r.dataset(), r.hyperparameters() == null ? null : r.hyperparameters().architecture(),
                r.hyperparameters(), r.createdAt(), r.updatedAt(), r.series().epochs().size(), r.figures(), r.modelId(),
                r.evaluationId(), r.annotations().tags(), r.annotations().note());
    }

    public String sweepId() {
        return origin == null ? null : origin.sweepId();
    }
}
