package dev.mnistpipeline.common.registry;

import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;

/**
 * The "champion" alias: which model version serves predictions. Replaced only by compare-and-swap on the stored
 * object's ETag, so concurrent gate decisions (several evaluator replicas) cannot both win.
 *
 * @param registeredModel the name whose champion this is; null in aliases written before models had names
 * @param generation increases by one with every promotion
 */
public record ChampionAlias(String registeredModel, String modelId, String evaluationId, double accuracy,
                            String previousModelId, long generation, Instant promotedAt) implements Versioned {

    /** The alias {@code change} made (its {@code previousModelId} is where a rollback goes). */
    public static ChampionAlias after(ChampionChange change) {
        return new ChampionAlias(change.registeredModel(), change.modelId(), change.evaluationId(), change.accuracy(), change.rollbackTo(),
                change.generation(), change.at());
    }
}
