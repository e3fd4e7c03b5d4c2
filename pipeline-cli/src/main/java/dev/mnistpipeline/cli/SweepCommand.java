package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.quarkus.Roles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline sweep --values learningRate=0.01,0.001 --range batchSize=32:256 ...}: a hyperparameter sweep on
 * the running trainer, optionally followed until its best trial is gated; {@code ./pipeline sweep --show ID} shows
 * one.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Start a hyperparameter sweep (grid or random; trials run as normal runs, the bad ones stop early by the median"
                + " rule, the best is gated) and optionally watch it; or show one with --show.")
final class SweepCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Mixin
    HyperparameterOptions base = new HyperparameterOptions();
    @Option(names = "--values", paramLabel = "NAME=V1,V2,...", description = "values to try, e.g. learningRate=0.01,0.001 (repeatable)")
    List<String> values = new ArrayList<>();
    @Option(names = "--range", paramLabel = "NAME=MIN:MAX[:log]", description = "a range to sample (random search), e.g. learningRate=0.0001:0.01:log")
    List<String> ranges = new ArrayList<>();
    @Option(names = "--search", paramLabel = "grid|random", description = "[grid; random when a --range is given]")
    String search;
    @Option(names = "--max-trials", paramLabel = "N", description = "the trial budget [every grid point; 8 for random]")
    Integer maxTrials;
    @Option(names = "--parallel", paramLabel = "N", description = "trials at once [2]")
    int parallelism = 2;
    @Option(names = "--sweep-id", paramLabel = "ID", description = "name the sweep [generated]")
    String sweepId;
    @Option(names = "--no-early-stopping", description = "let every trial train all its epochs")
    boolean noEarlyStopping;
    @Option(names = "--watch", description = "follow it until its best trial is gated")
    boolean watch;
    @Option(names = "--show", paramLabel = "ID", description = "show a sweep instead of starting one")
    String show;
    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, description = "with --watch [4h]")
    Duration timeout = Duration.ofHours(4);

    @Override
    public Integer call() throws Exception {
        StackClient client = stack.connect();
        if (show != null) {
            print(client.get(StackClient.TRAINER, "/sweeps/" + show), System.out);
            return 0;
        }
        ObjectNode space = Json.MAPPER.createObjectNode();
        for (String v : values) {
            String[] kv = split(v, "--values");
            var list = space.putArray(kv[0]);
            for (String item : kv[1].split(",")) {
                list.add(value(item.trim()));
            }
        }
        for (String r : ranges) {
            String[] kv = split(r, "--range");
            String[] bounds = kv[1].split(":");
            if (bounds.length < 2) {
                throw new IllegalArgumentException("--range " + r + ": give MIN:MAX or MIN:MAX:log");
            }
            ObjectNode range = space.putObject(kv[0]);
            range.set("min", value(bounds[0]));
            range.set("max", value(bounds[1]));
            range.put("scale", bounds.length > 2 ? bounds[2] : "linear");
        }
        if (space.isEmpty()) {
            throw new IllegalArgumentException("name what to search: --values NAME=V1,V2 or --range NAME=MIN:MAX[:log]");
        }
        Map<String, Object> request = new LinkedHashMap<>();
        if (sweepId != null) {
            request.put("sweepId", sweepId);
        }
        String kind = search != null ? search : ranges.isEmpty() ? "grid" : "random";
        request.put("search", kind);
        request.put("space", space);
        request.put("hyperparameters", base.given());
        request.put("parallelism", parallelism);
        if (maxTrials != null || kind.equals("random")) {
            request.put("maxTrials", maxTrials != null ? maxTrials : 8);
        }
        request.put("medianStopping", !noEarlyStopping);
        JsonNode sweep = client.postJson(StackClient.TRAINER, "/sweeps", Roles.OPERATOR, request);
        String id = sweep.path("sweepId").asText();
        if (!stack.printedJson(sweep, System.out)) {
            System.out.printf("started sweep %s: %d trials (%s), %d at a time, on %s%n", id, sweep.path("trials").size(), kind,
                    parallelism, sweep.path("preparedId").asText());
            sweep.path("trials").forEach(t -> System.out.printf("  %-28s %s%n", t.path("runId").asText(), varied(t.path("hyperparameters"), space)));
        }
        if (!watch) {
            if (!stack.json) {
                System.out.println("follow it with: ./pipeline sweep --show " + id);
            }
            return 0;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonNode view = client.get(StackClient.TRAINER, "/sweeps/" + id);
            String states = view.path("trials").toString() + view.path("gated");
            if (!states.equals(last) && !stack.json) {
                print(view, System.out);
                last = states;
            }
            if (view.path("gated").isObject()) {
                stack.printedJson(view, System.out);
                return 0;
            }
            Thread.sleep(2000);
        }
        throw new IllegalStateException("sweep " + id + " did not end within " + timeout);
    }

    /** A sweep as a table: each trial's varied hyperparameters, per-epoch validation accuracy and end; the verdict. */
    private void print(JsonNode view, PrintStream out) {
        if (stack.printedJson(view, out)) {
            return;
        }
        JsonNode sweep = view.path("sweep");
        Map<String, JsonNode> status = new LinkedHashMap<>();
        view.path("trials").forEach(t -> status.put(t.path("runId").asText(), t));
        out.printf("sweep %s (%s, %d trials, %d at a time)%n", sweep.path("sweepId").asText(), sweep.path("search").asText(),
                sweep.path("trials").size(), sweep.path("parallelism").asInt());
        for (JsonNode t : sweep.path("trials")) {
            JsonNode s = status.get(t.path("runId").asText());
            List<String> epochs = new ArrayList<>();
            if (s != null) {
                s.path("epochValidationAccuracy").forEach(v -> epochs.add(String.format("%.4f", v.asDouble())));
            }
            out.printf("  %-28s %-40s %-14s %s%n", t.path("runId").asText(), varied(t.path("hyperparameters"), sweep.path("space")),
                    s == null ? "pending" : s.path("state").asText(), String.join(" ", epochs));
        }
        JsonNode gated = view.path("gated");
        if (gated.isObject()) {
            out.println(gated.has("bestRunId")
                    ? String.format("best: %s (validation %.4f, test %.4f) -> gate %s", gated.path("bestRunId").asText(),
                    gated.path("validationAccuracy").asDouble(), gated.path("testAccuracy").asDouble(),
                    gated.path("promoted").asBoolean() ? "PROMOTED" : "rejected: " + gated.path("reasons"))
                    : "ended: " + gated.path("reason").asText());
        }
    }

    private static String varied(JsonNode hyperparameters, JsonNode space) {
        List<String> parts = new ArrayList<>();
        space.fieldNames().forEachRemaining(name -> parts.add(name + "=" + hyperparameters.path(name).asText()));
        return String.join(" ", parts);
    }

    /** A number or boolean as itself, anything else (an optimizer's name) as text. */
    private static JsonNode value(String text) {
        try {
            JsonNode v = Json.tree(text);
            return v.isValueNode() ? v : Json.MAPPER.getNodeFactory().textNode(text);
        } catch (RuntimeException notJson) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }

    private static String[] split(String option, String name) {
        String[] kv = option.split("=", 2);
        if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
            throw new IllegalArgumentException(name + " " + option + ": give NAME=...");
        }
        return kv;
    }
}
