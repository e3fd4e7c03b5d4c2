package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;

/**
 * One change of the champion alias, kept in the registry's history ({@code registry/models/<name>/history/<generation>.json}):
 * which model took over from which, how, by whom and why. The gate's promotions, an operator's manual promotions
 * and rollbacks all go through the same compare-and-swap on the alias and leave one of these.
 *
 * @param registeredModel the name whose champion changed; null in changes recorded before models had names
 * @param replacedModelId the champion before this change; null for the first
 * @param rollbackTo      where a rollback of this change returns: the replaced model, or for a rollback, the model
 *                        the restored champion would itself roll back to (so rolling back twice goes two back)
 * @param kind            {@link #GATE}, {@link #PROMOTION} or {@link #ROLLBACK}
 * @param by              who: {@code gate}, or the caller's principal
 */
public record ChampionChange(String registeredModel, long generation, String modelId, String evaluationId, double accuracy,
                             String replacedModelId, String rollbackTo, String kind, String by, String reason,
                             Instant at) implements Versioned {
    public static final String GATE = "gate";
    public static final String PROMOTION = "promotion";
    public static final String ROLLBACK = "rollback";
}
