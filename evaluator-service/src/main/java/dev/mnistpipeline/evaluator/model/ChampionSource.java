package dev.mnistpipeline.evaluator.model;

import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.registry.ChampionAlias;

import java.util.Optional;

/**
 * Where serving learns which version a registered model's champion or other alias points at, and what a version is
 * made of: the registry, read-only.
 */
public interface ChampionSource {
    Optional<ChampionAlias> champion(String name);

    /** The version {@code alias} of {@code name} points at ({@code champion} included). */
    Optional<String> alias(String name, String alias);

    /** The registered model the version belongs to; empty for an unknown version. */
    Optional<String> nameOf(String modelId);

    Optional<ModelManifest> manifest(String modelId);
}
