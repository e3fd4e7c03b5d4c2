package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.stack.client.StackClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline runs [filters]}: the run history (GET /runs on the evaluator), newest first by default;
 * {@code runs show RUN_ID}: one run's whole record; {@code runs tag RUN_ID --add T --note TEXT}: tags and a note;
 * {@code runs delete RUN_ID}: removes a run's record (not its model).
 */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "Every run kept: list and filter them, show one, tag and annotate, delete a record.",
        subcommands = {RunsCommand.Show.class, RunsCommand.Tag.class, RunsCommand.Delete.class})
final class RunsCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Option(names = {"-q", "--search"}, paramLabel = "TEXT", description = "in run ids, registered models, datasets, tags and notes")
    String search;
    @Option(names = "--dataset", paramLabel = "NAME", description = "dataset name, version id or prepared id")
    String dataset;
    @Option(names = "--architecture", paramLabel = "ARCH")
    String architecture;
    @Option(names = "--state", paramLabel = "STATES", description = "one or more, comma-separated: queued, waiting, training, completed, failed, cancelled, refused")
    String state;
    @Option(names = "--tag", paramLabel = "TAG")
    String tag;
    @Option(names = "--sweep", paramLabel = "SWEEP_ID")
    String sweep;
    @Option(names = "--since", paramLabel = "DURATION", converter = DurationConverter.class, description = "created in the last 90m, 12h, 7d ...")
    Duration since;
    @Option(names = "--sort", paramLabel = "KEY", description = "createdAt (default), updatedAt, runId, or a final figure: validationAccuracy, testAccuracy, macroF1, trainSeconds, ...")
    String sort;
    @Option(names = "--asc", description = "ascending (default: descending)")
    boolean ascending;
    @Option(names = "--limit", paramLabel = "N", description = "runs per page, 1-500 [20]")
    int limit = 20;
    @Option(names = "--offset", paramLabel = "N", description = "skip this many [0]")
    int offset;

    @Override
    public Integer call() throws Exception {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("q", search);
        query.put("dataset", dataset);
        query.put("architecture", architecture);
        query.put("state", state);
        query.put("tag", tag);
        query.put("sweep", sweep);
        query.put("from", since == null ? null : Instant.now().minus(since).toString());
        query.put("sort", sort);
        query.put("order", ascending ? "asc" : "desc");
        query.put("offset", Integer.toString(offset));
        query.put("limit", Integer.toString(limit));
        JsonNode page = stack.connect().get(StackClient.EVALUATOR, "/runs?" + encode(query));
        if (stack.printedJson(page, System.out)) {
            return 0;
        }
        System.out.printf("%-28s %-10s %-11s %-14s %-10s %8s %8s  %-20s %s%n", "RUN", "STATE", "ARCH", "DATASET", "ORIGIN",
                "VAL ACC", "TEST ACC", "CREATED", "TAGS");
        for (JsonNode r : page.path("runs")) {
            System.out.printf("%-28s %-10s %-11s %-14s %-10s %8s %8s  %-20s %s%n", r.path("runId").asText(), r.path("state").asText(),
                    r.path("architecture").asText("-"), r.path("dataset").asText(r.path("datasetId").asText("-")),
                    r.path("origin").path("kind").asText("-"), figure(r, "validationAccuracy"), figure(r, "testAccuracy"),
                    r.path("createdAt").asText("").replaceFirst("\\.\\d+Z$", "Z"), String.join(",", texts(r.path("tags"))));
        }
        int total = page.path("total").asInt();
        int shown = page.path("runs").size();
        System.out.printf("%s%n", total == 0 ? "no runs match" : String.format("runs %d-%d of %d%s", offset + 1, offset + shown, total,
                offset + shown < total ? " (next page: --offset " + (offset + shown) + ")" : ""));
        return 0;
    }

    private static String figure(JsonNode run, String name) {
        JsonNode v = run.path("figures").path(name);
        return v.isNumber() ? String.format("%.4f", v.asDouble()) : "-";
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(t -> out.add(t.asText()));
        return out;
    }

    private static String encode(Map<String, String> query) {
        List<String> parts = new ArrayList<>();
        query.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                parts.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return String.join("&", parts);
    }

    private static String path(String runId) {
        return "/runs/" + URLEncoder.encode(runId, StandardCharsets.UTF_8);
    }

    /** What every command on one run takes: the stack, and the run. */
    abstract static class OneRun implements Callable<Integer> {
        @Mixin
        StackOptions stack = new StackOptions();
        @Parameters(paramLabel = "RUN_ID")
        String runId;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One run's whole record: settings, origin, states, epochs, figures, tags.")
    static final class Show extends OneRun {

        @Override
        public Integer call() throws Exception {
            JsonNode r = stack.connect().get(StackClient.EVALUATOR, path(runId));
            if (stack.printedJson(r, System.out)) {
                return 0;
            }
            JsonNode origin = r.path("origin");
            System.out.printf("run %s: %s%s%n", r.path("runId").asText(), r.path("state").asText(),
                    r.path("reason").isTextual() ? " (" + r.path("reason").asText() + ")" : "");
            System.out.printf("  started by  %s%s%s%n", origin.path("kind").asText("-"),
                    origin.path("by").isTextual() ? " (" + origin.path("by").asText() + ")" : "",
                    origin.path("sweepId").isTextual() ? " in sweep " + origin.path("sweepId").asText() : "");
            System.out.printf("  data        %s %s, prepared %s%n", r.path("dataset").asText("-"), r.path("datasetId").asText("-"), r.path("preparedId").asText("-"));
            System.out.printf("  settings    %s%n", r.path("hyperparameters"));
            System.out.printf("  model       %s, evaluation %s%n", r.path("modelId").asText("-"), r.path("evaluationId").asText("-"));
            System.out.printf("  figures     %s%n", r.path("figures"));
            System.out.printf("  tags        %s%s%n", String.join(", ", texts(r.path("annotations").path("tags"))),
                    r.path("annotations").path("note").isTextual() ? "; note: " + r.path("annotations").path("note").asText() : "");
            System.out.println("  states");
            r.path("states").forEach(s -> System.out.printf("    %-24s %-10s %s%n", s.path("at").asText(), s.path("state").asText(),
                    s.path("reason").asText("")));
            System.out.printf("  epochs      %-6s %-8s %-8s %s%n", "EPOCH", "LOSS", "ACC", "VAL ACC");
            r.path("series").path("epochs").forEach(e -> System.out.printf("              %-6d %-8.4f %-8.4f %s%n", e.path("epoch").asInt(),
                    e.path("loss").asDouble(), e.path("accuracy").asDouble(),
                    e.path("validationAccuracy").isNumber() ? String.format("%.4f", e.path("validationAccuracy").asDouble()) : "-"));
            System.out.printf("  steps       %d points kept of %d reported%n", r.path("series").path("steps").size(),
                    r.path("series").path("stepsSeen").asLong());
            return 0;
        }
    }

    @Command(name = "tag", mixinStandardHelpOptions = true, description = "Add or remove tags, set a note (operator).")
    static final class Tag extends OneRun {
        @Option(names = "--add", paramLabel = "TAG", split = ",", description = "tags to add (repeat or comma-separate)")
        List<String> add;
        @Option(names = "--remove", paramLabel = "TAG", split = ",", description = "tags to remove")
        List<String> remove;
        @Option(names = "--note", paramLabel = "TEXT", description = "the run's note (an empty one removes it)")
        String note;

        @Override
        public Integer call() throws Exception {
            if (add == null && remove == null && note == null) {
                throw new IllegalArgumentException("nothing to change: give --add, --remove or --note");
            }
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("addTags", add);
            change.put("removeTags", remove);
            change.put("note", note);
            JsonNode r = stack.connect().patchJson(StackClient.EVALUATOR, path(runId), Roles.OPERATOR, change);
            if (!stack.printedJson(r, System.out)) {
                System.out.printf("run %s: tags [%s]%s%n", r.path("runId").asText(), String.join(", ", texts(r.path("annotations").path("tags"))),
                        r.path("annotations").path("note").isTextual() ? ", note: " + r.path("annotations").path("note").asText() : "");
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a run's record (operator): its model, evaluation and registry entries stay; a promoted model's run is kept.")
    static final class Delete extends OneRun {

        @Override
        public Integer call() throws Exception {
            stack.connect().delete(StackClient.EVALUATOR, path(runId), Roles.OPERATOR);
            if (!stack.printedJson(Map.of("runId", runId, "deleted", true), System.out)) {
                System.out.printf("run %s: record deleted%n", runId);
            }
            return 0;
        }
    }
}
