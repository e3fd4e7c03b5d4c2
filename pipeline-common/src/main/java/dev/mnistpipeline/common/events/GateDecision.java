package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;
import java.util.List;

/**
 * The promotion gate's verdict on one model version, kept in the registry and announced on {@code model.promoted}
 * or {@code model.rejected}.
 *
 * @param championModelId    the champion the candidate was compared with; null when there was none
 * @param reasons            why it was promoted or rejected, one line per threshold checked
 */
public record GateDecision(String modelId, String evaluationId, boolean promoted, double accuracy,
                           String championModelId, Double championAccuracy, List<String> reasons,
                           GateThresholds thresholds, Instant decidedAt) implements Versioned {
}
