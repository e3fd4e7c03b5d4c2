package dev.mnistpipeline.common.registry;

import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;

import java.util.Optional;

/**
 * Read-only view of the champion alias, for services that follow the champion but never decide it (the trainer's
 * continuous training). The evaluator's model registry is the only writer.
 */
public final class ChampionView {
    private final ObjectStore store;

    public ChampionView(ObjectStore store) {
        this.store = store;
    }

    public Optional<ChampionAlias> current() {
        return store.findJson(ObjectKeys.CHAMPION, ChampionAlias.class);
    }
}
