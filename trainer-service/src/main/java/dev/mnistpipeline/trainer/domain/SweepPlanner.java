package dev.mnistpipeline.trainer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.sweeps.Sweep;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Locale;

/**
 * Turns a search space into trials: every combination of the listed values (grid, in order, up to the budget), or
 * {@code maxTrials} seeded random draws (lists are choices, ranges are sampled, log-uniform for
 * {@code "scale":"log"}). Each trial's hyperparameters are the base ones with its values set, checked like any
 * training request, so a bad space is refused whole before anything runs.
 */
public final class SweepPlanner {
    public static final String GRID = "grid";
    public static final String RANDOM = "random";
    public static final int MAX_TRIALS = 64;

    private SweepPlanner() {
    }

    public static List<Sweep.Trial> plan(String sweepId, String search, JsonNode space, JsonNode base, int maxTrials, long seed) {
        if (space == null || !space.isObject() || space.isEmpty()) {
            throw new InvalidDataException("space must name at least one hyperparameter, e.g. {\"learningRate\": [0.01, 0.001]}");
        }
        if (maxTrials < 1 || maxTrials > MAX_TRIALS) {
            throw new InvalidDataException("maxTrials must be 1-" + MAX_TRIALS + ", got " + maxTrials);
        }
        List<ObjectNode> points = switch (search) {
            case GRID -> grid(space, maxTrials);
            case RANDOM -> random(space, maxTrials, new Random(seed));
            default -> throw new InvalidDataException("search must be 'grid' or 'random', got '" + search + "'");
        };
        List<Sweep.Trial> trials = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            ObjectNode hp = base == null || base.isNull() ? Json.MAPPER.createObjectNode() : ((ObjectNode) base).deepCopy();
            hp.setAll(points.get(i));
            try {
                trials.add(new Sweep.Trial(String.format("%s-t%02d", sweepId, i + 1), TrainingRules.parse(hp)));
            } catch (InvalidDataException e) {
                throw new InvalidDataException("trial " + (i + 1) + " " + points.get(i) + ": " + e.getMessage());
            }
        }
        return trials;
    }

    private static List<ObjectNode> grid(JsonNode space, int maxTrials) {
        List<ObjectNode> points = new ArrayList<>(List.of(Json.MAPPER.createObjectNode()));
        for (Iterator<Map.Entry<String, JsonNode>> it = space.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> dim = it.next();
            if (!dim.getValue().isArray() || dim.getValue().isEmpty()) {
                throw new InvalidDataException("grid search needs a list of values for " + dim.getKey() + ", got " + dim.getValue());
            }
            List<ObjectNode> next = new ArrayList<>();
            for (ObjectNode p : points) {
                for (JsonNode v : dim.getValue()) {
                    ObjectNode q = p.deepCopy();
                    q.set(dim.getKey(), v);
                    next.add(q);
                }
            }
            points = next;
        }
        return points.subList(0, Math.min(maxTrials, points.size()));
    }

    private static List<ObjectNode> random(JsonNode space, int maxTrials, Random random) {
        List<ObjectNode> points = new ArrayList<>();
        for (int i = 0; i < maxTrials; i++) {
            ObjectNode p = Json.MAPPER.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = space.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> dim = it.next();
                p.set(dim.getKey(), draw(dim.getKey(), dim.getValue(), random));
            }
            points.add(p);
        }
        return points;
    }

    private static JsonNode draw(String name, JsonNode spec, Random random) {
        if (spec.isArray() && !spec.isEmpty()) {
            return spec.get(random.nextInt(spec.size()));
        }
        if (spec.isObject() && spec.path("min").isNumber() && spec.path("max").isNumber()) {
            double min = spec.path("min").asDouble(), max = spec.path("max").asDouble();
            boolean log = "log".equals(spec.path("scale").asText("linear"));
            if (min > max || (log && min <= 0)) {
                throw new InvalidDataException(name + ": the range " + spec + " is empty" + (log ? " or not positive (log scale)" : ""));
            }
            double u = random.nextDouble();
            double v = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
            return spec.path("min").isIntegralNumber() && spec.path("max").isIntegralNumber()
                    ? Json.MAPPER.getNodeFactory().numberNode(Math.round(v))
                    : Json.MAPPER.getNodeFactory().numberNode(Double.parseDouble(String.format(Locale.ROOT, "%.6g", v)));
        }
        throw new InvalidDataException(name + ": give a list of values or a range {\"min\":..,\"max\":..[,\"scale\":\"log\"]}, got " + spec);
    }
}
