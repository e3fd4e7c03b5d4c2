package dev.mnistpipeline.trainer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters.Freeze;
import dev.mnistpipeline.common.events.Hyperparameters.Transfer;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.trainer.model.Architecture;
import dev.mnistpipeline.trainer.model.Architectures;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Where hyperparameters are checked, once, as a request enters (REST, Kafka or configuration): every problem is
 * listed, nothing is silently ignored, and what comes out is complete (defaults filled, the architecture's
 * activation resolved). Everything after the entry point trusts it.
 */
public final class TrainingRules {
    private static final List<String> FIELDS = Arrays.stream(Hyperparameters.class.getRecordComponents())
            .map(RecordComponent::getName).toList();

    private TrainingRules() {
    }

    /**
     * Reads hyperparameters from JSON as a caller wrote them (a REST body, a config value) and validates them:
     * unknown names, values of the wrong type or outside a closed choice, and range problems are all reported in
     * one {@link InvalidDataException}.
     */
    public static Hyperparameters parse(JsonNode node) {
        List<String> problems = new ArrayList<>();
        Hyperparameters read = read(node, problems);
        return validate(read, problems);
    }

    /**
     * Reads a partial set (a config layered over something else) with the type checks of {@link #parse}, but
     * without filling defaults or checking combinations.
     */
    public static Hyperparameters read(JsonNode node) {
        List<String> problems = new ArrayList<>();
        Hyperparameters read = read(node, problems);
        if (!problems.isEmpty()) {
            throw new InvalidDataException("invalid hyperparameters: " + String.join("; ", problems));
        }
        return read == null ? Hyperparameters.builder().build() : read;
    }

    /** The readable fields of {@code node}; each unreadable or unknown one adds a problem. Null for no object. */
    private static Hyperparameters read(JsonNode node, List<String> problems) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidDataException("invalid hyperparameters: must be a JSON object, got " + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        var fields = Json.MAPPER.createObjectNode();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode value = node.get(name);
            if (!FIELDS.contains(name)) {
                problems.add("unknown hyperparameter '" + name + "' (known: " + FIELDS + ")");
            } else if (readable(name, value, problems)) {
                fields.set(name, value);
            }
        }
        return Json.MAPPER.convertValue(fields, Hyperparameters.class);
    }

    /** Validates typed hyperparameters (null: all defaults); returns them complete. */
    public static Hyperparameters validate(Hyperparameters requested) {
        return validate(requested, new ArrayList<>());
    }

    private static Hyperparameters validate(Hyperparameters requested, List<String> problems) {
        Hyperparameters hp = (requested == null ? Hyperparameters.DEFAULTS : requested).withDefaults();
        Optional<Architecture> architecture = Architectures.find(hp.architecture());
        if (architecture.isEmpty()) {
            problems.add("architecture '" + hp.architecture() + "' is not one of " + Architectures.names());
        } else if (hp.activation() != null && !architecture.get().activations().contains(hp.activation())) {
            problems.add(hp.architecture() + " cannot use activation '" + hp.activation() + "'; it supports "
                    + new TreeSet<>(architecture.get().activations().stream().map(Object::toString).toList()));
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
        if (!(hp.labelSmoothing() >= 0 && hp.labelSmoothing() < 1)) {
            problems.add("labelSmoothing must be in [0, 1), got " + hp.labelSmoothing());
        }
        if (!(hp.weightDecay() >= 0 && hp.weightDecay() <= 1)) {
            problems.add("weightDecay must be in [0, 1], got " + hp.weightDecay());
        }
        if (hp.earlyStoppingPatience() < 0 || hp.earlyStoppingPatience() > 1000) {
            problems.add("earlyStoppingPatience must be 0 (off) to 1000 epochs, got " + hp.earlyStoppingPatience());
        }
        if (hp.accuracyCheckEverySteps() < 0 || hp.accuracyCheckEverySteps() > 1_000_000) {
            problems.add("accuracyCheckEverySteps must be 0 (off) to 1000000, got " + hp.accuracyCheckEverySteps());
        }
        if (hp.secondConvFilters() != null && architecture.isPresent() && !architecture.get().hasSecondConvolutionWidth()) {
            problems.add("secondConvFilters shapes the cnn only; " + hp.architecture() + " has no such layer");
        } else if (hp.secondConvFilters() != null && (hp.secondConvFilters() < 8 || hp.secondConvFilters() > 512)) {
            problems.add("secondConvFilters must be 8-512, got " + hp.secondConvFilters());
        }
        if (hp.freeze() == Freeze.FEATURES && hp.baseModelId() == null) {
            problems.add("freeze 'features' needs a baseModelId to take the features from");
        }
        if (hp.transfer() != Transfer.ALL) {
            if (hp.baseModelId() == null) {
                problems.add("transfer '" + hp.transfer() + "' needs a baseModelId to take the layers from");
            }
            if (hp.transfer() == Transfer.CONVOLUTIONS && hp.freeze() == Freeze.FEATURES) {
                problems.add("freeze 'features' needs the features transferred (transfer 'all' or 'features'), not only the convolutions");
            }
            if (hp.transfer() == Transfer.CONVOLUTIONS && architecture.isPresent() && !architecture.get().convolutional()) {
                problems.add(hp.architecture() + " has no convolutional layers to transfer");
            }
        }
        if (hp.augmentation() != null) {
            problems.addAll(hp.augmentation().problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidDataException("invalid hyperparameters: " + String.join("; ", problems));
        }
        return hp.activation() != null ? hp : hp.toBuilder().activation(architecture.orElseThrow().defaultActivation()).build();
    }

    /** Whether one JSON field reads as its type; if not, says why (an enum value lists the accepted ones). */
    private static boolean readable(String name, JsonNode value, List<String> problems) {
        Class<?> type = Arrays.stream(Hyperparameters.class.getRecordComponents())
                .filter(c -> c.getName().equals(name)).findFirst().orElseThrow().getType();
        try {
            Json.MAPPER.convertValue(value, type);
            return true;
        } catch (IllegalArgumentException e) {
            if (type.isEnum()) {
                problems.add(name + " '" + value.asText() + "' is not one of "
                        + Arrays.stream(type.getEnumConstants()).map(Object::toString).toList());
            } else if (type == Augmentation.class) {
                problems.add("augmentation must be an object with rotationDegrees, shiftPixels, scaleMin, scaleMax, elastic; got " + value);
            } else {
                problems.add(name + " must be " + (Number.class.isAssignableFrom(type) ? "a number" : "a string") + ", got " + value);
            }
            return false;
        }
    }

    /** The learning rate at a step: constant, cosine decay to 0, or x0.1 at 50% and again at 75% of the run. */
    /** Linear warm-up from peak/25, then cosine from the peak to 0. */
    private static double oneCycle(double peak, double progress) {
        double warmUp = Hyperparameters.WARM_UP_FRACTION;
        return progress < warmUp ? peak * (0.04 + 0.96 * progress / warmUp)
                : peak * 0.5 * (1 + Math.cos(Math.PI * (progress - warmUp) / (1 - warmUp)));
    }

    public static double learningRate(Hyperparameters hp, long step, long totalSteps) {
        double progress = totalSteps == 0 ? 0 : step / (double) totalSteps;
        return switch (hp.schedule()) {
            case COSINE -> hp.learningRate() * 0.5 * (1 + Math.cos(Math.PI * progress));
            case STEP -> hp.learningRate() * (progress >= 0.75 ? 0.01 : progress >= 0.5 ? 0.1 : 1);
            case CONSTANT -> hp.learningRate();
            case ONE_CYCLE -> oneCycle(hp.learningRate(), progress);
        };
    }
}
