package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The promotion gate's verdict on one model version, kept in the registry and announced on {@code model.promoted}
 * or {@code model.rejected}.
 *
 * @param championModelId    the champion the candidate was compared with; null when there was none
 * @param reasons            why it was promoted or rejected, one line per threshold checked
 * @param rollout            {@code canary} or {@code shadow} when the candidate passed and went into a rollout against
 *                           the champion instead of replacing it at once ({@code promoted} is then false: the
 *                           rollout decides); null otherwise
 */
public record GateDecision(String modelId, String evaluationId, boolean promoted, double accuracy,
                           String championModelId, Double championAccuracy, List<String> reasons,
                           GateThresholds thresholds, Instant decidedAt, String rollout) implements Versioned {

    /** A decision that takes effect at once: promoted or rejected. */
    public GateDecision(String modelId, String evaluationId, boolean promoted, double accuracy, String championModelId,
                        Double championAccuracy, List<String> reasons, GateThresholds thresholds, Instant decidedAt) {
        this(modelId, evaluationId, promoted, accuracy, championModelId, championAccuracy, reasons, thresholds, decidedAt, null);
    }

    /** This passing decision, held for a rollout of {@code mode} (or, with {@code mode} null, held), with why. */
    public GateDecision held(String mode, String why) {
        List<String> all = new ArrayList<>(reasons);
        all.add(why);
        return new GateDecision(modelId, evaluationId, false, accuracy, championModelId, championAccuracy, List.copyOf(all),
                thresholds, decidedAt, mode);
    }
}
