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
    static final Set<String> SCHEDULES = Set.of("constant", "cosine", "step");
    static final Set<String> FREEZE = Set.of("none", "features");
    static final Set<String> TRANSFER = Set.of("all", "features", "convolutions");

    private TrainingRules() {
    }

    public static Hyperparameters validate(Hyperparameters requested) {
        Hyperparameters hp = (requested == null ? Hyperparameters.DEFAULTS : requested).withDefaults();
        List<String> problems = new ArrayList<>();
        var architecture = Architectures.find(hp.architecture());
        if (architecture.isEmpty()) {
            problems.add("architecture '" + hp.architecture() + "' is not one of " + Architectures.names());
        } else if (hp.activation() != null && !architecture.get().activations().contains(hp.activation())) {
            problems.add(hp.architecture() + " cannot use activation '" + hp.activation() + "'; it supports "
                    + new java.util.TreeSet<>(architecture.get().activations()));
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
        if (!SCHEDULES.contains(hp.schedule())) {
            problems.add("schedule '" + hp.schedule() + "' is not one of " + SCHEDULES);
        }
        if (!(hp.weightDecay() >= 0 && hp.weightDecay() <= 1)) {
            problems.add("weightDecay must be in [0, 1], got " + hp.weightDecay());
        }
        if (hp.earlyStoppingPatience() < 0 || hp.earlyStoppingPatience() > 1000) {
            problems.add("earlyStoppingPatience must be 0 (off) to 1000 epochs, got " + hp.earlyStoppingPatience());
        }
        if (!FREEZE.contains(hp.freeze())) {
            problems.add("freeze '" + hp.freeze() + "' is not one of " + FREEZE);
        } else if (hp.freeze().equals("features") && hp.baseModelId() == null) {
            problems.add("freeze 'features' needs a baseModelId to take the features from");
        }
        if (!TRANSFER.contains(hp.transfer())) {
            problems.add("transfer '" + hp.transfer() + "' is not one of " + TRANSFER);
        } else if (!hp.transfer().equals("all")) {
            if (hp.baseModelId() == null) {
                problems.add("transfer '" + hp.transfer() + "' needs a baseModelId to take the layers from");
            }
            if (hp.transfer().equals("convolutions") && hp.freeze().equals("features")) {
                problems.add("freeze 'features' needs the features transferred (transfer 'all' or 'features'), not only the convolutions");
            }
            if (hp.transfer().equals("convolutions") && architecture.isPresent() && !architecture.get().convolutional()) {
                problems.add(hp.architecture() + " has no convolutional layers to transfer");
            }
        }
        if (hp.augmentation() != null) {
            problems.addAll(hp.augmentation().problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidDataException("invalid hyperparameters: " + String.join("; ", problems));
        }
        return architecture.map(a -> hp.withActivation(hp.activation() != null ? hp.activation() : a.defaultActivation())).orElse(hp);
    }

    /** The learning rate at a step: constant, cosine decay to 0, or x0.1 at 50% and again at 75% of the run. */
    public static double learningRate(Hyperparameters hp, long step, long totalSteps) {
        double progress = totalSteps == 0 ? 0 : step / (double) totalSteps;
        return switch (hp.schedule()) {
            case "cosine" -> hp.learningRate() * 0.5 * (1 + Math.cos(Math.PI * progress));
            case "step" -> hp.learningRate() * (progress >= 0.75 ? 0.01 : progress >= 0.5 ? 0.1 : 1);
            default -> hp.learningRate();
        };
    }
}
