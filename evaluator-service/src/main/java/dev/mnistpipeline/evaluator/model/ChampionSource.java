package dev.mnistpipeline.evaluator.model;

import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.registry.ChampionAlias;

import java.util.Optional;

/** Where the serving model learns which model is champion and what it is made of: the registry, read-only. */
public interface ChampionSource {
    Optional<ChampionAlias> champion();

    Optional<ModelManifest> manifest(String modelId);
}
