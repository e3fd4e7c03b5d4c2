package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.trainer.model.Architectures;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks a request's hyperparameters up front, listing every problem, so nothing is silently ignored. */
public final class TrainingRules {
    static final Set<String> OPTIMIZERS = Set.of("adam", "sgd");
    static final Set<String> LOSSES = Set.of("cross_entropy", "mse");

    private TrainingRules() {
    }

    public static Hyperparameters validate(Hyperparameters requested) {
        Hyperparameters hp = (requested == null ? Hyperparameters.DEFAULTS : requested).withDefaults();
        List<String> problems = new ArrayList<>();
        if (Architectures.find(hp.architecture()).isEmpty()) {
            problems.add("architecture '" + hp.architecture() + "' is not one of " + Architectures.names());
        }
        if (hp.epochs() < 1 || hp.epochs() > 1000) {
            problems.add("epochs must be 1-1000, got " + hp.epochs());
        }
        if (hp.batchSize() < 1 || hp.batchSize() > 8192) {
            problems.add("batchSize must be 1-8192, got " + hp.batchSize());
        }
        if (!(hp.learningRate() > 0 && hp.learningRate() <= 10)) {
            problems.add("learningRate must be in (0, 10], got " + hp.learningRate());
        }
        if (!OPTIMIZERS.contains(hp.optimizer())) {
            problems.add("optimizer '" + hp.optimizer() + "' is not one of " + OPTIMIZERS);
        }
        if (!LOSSES.contains(hp.loss())) {
            problems.add("loss '" + hp.loss() + "' is not one of " + LOSSES);
        }
        if (!problems.isEmpty()) {
            throw new InvalidDataException("invalid hyperparameters: " + String.join("; ", problems));
        }
        return hp;
    }
}
