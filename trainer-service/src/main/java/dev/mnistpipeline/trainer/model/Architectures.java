package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The architectures a training request may name. */
public final class Architectures {
    private static final Map<String, Architecture> BY_NAME = Map.of(
            "cnn", new ConvNet(),
            "mlp", new Mlp(),
            "lenet", new LeNet(),
            "lstm", new Lstm(),
            "transformer", new Transformer());

    private Architectures() {
    }

    public static Optional<Architecture> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The architecture a run's (validated) hyperparameters name, shaped by them. */
    public static Architecture of(Hyperparameters hp) {
        return find(hp.architecture()).orElseThrow(() -> new IllegalArgumentException("no architecture '" + hp.architecture() + "'"))
                .configuredFor(hp);
    }

    public static Set<String> names() {
        return new TreeSet<>(BY_NAME.keySet());
    }
}
