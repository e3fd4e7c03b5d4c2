package dev.mnistpipeline.common.registry;

import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;

import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Read-only view of a registered model's champion alias, for services that follow the champion but never decide it
 * (the trainer's continuous training). The evaluator's model registry is the only writer.
 */
public final class ChampionView {
    private final ObjectStore store;

    public ChampionView(ObjectStore store) {
        this.store = store;
    }

    /**
     * The champion of {@code name}; for a registry from before names, the one champion it had, if it is this name's
     * (the evaluator moves it under its name when it first writes there).
     */
    public Optional<ChampionAlias> current(String name) {
        Optional<ChampionAlias> named = store.findJson(ObjectKeys.alias(name, RegisteredModels.CHAMPION), ChampionAlias.class);
        if (named.isPresent()) {
            return named;
        }
        return store.findJson(ObjectKeys.LEGACY_CHAMPION, ChampionAlias.class)
                .filter(legacy -> name.equals(legacyName(legacy)));
    }

    /** The registered models that have a champion or another alias, and the name of a champion from before names. */
    public SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        store.listFolders(ObjectKeys.REGISTERED_MODELS_PREFIX).forEach(folder ->
                names.add(folder.substring(ObjectKeys.REGISTERED_MODELS_PREFIX.length()).replace("/", "")));
        store.findJson(ObjectKeys.LEGACY_CHAMPION, ChampionAlias.class).ifPresent(legacy -> names.add(legacyName(legacy)));
        names.remove("");
        return names;
    }

    /** The name a champion from before names belongs to: its model's. */
    public String legacyName(ChampionAlias legacy) {
        return legacy.registeredModel() != null ? legacy.registeredModel()
                : store.findJson(ObjectKeys.modelManifest(legacy.modelId()), ModelManifest.class)
                .map(m -> RegisteredModels.nameOf(m, store)).orElse(RegisteredModels.DEFAULT);
    }
}
