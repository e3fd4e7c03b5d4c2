package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline datasets}: every dataset version by name, oldest first, each with its parent and what it added
 * (published samples make a child that extends the newest version).
 */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Dataset versions and their lineage.")
final class DatasetsCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();

    @Override
    public Integer call() throws Exception {
        JsonNode all = stack.connect().get(StackClient.INGEST, "/datasets");
        if (stack.printedJson(all, System.out)) {
            return 0;
        }
        Map<String, JsonNode> byId = new HashMap<>();
        Map<String, List<JsonNode>> byName = new TreeMap<>();
        all.forEach(d -> {
            byId.put(d.path("datasetId").asText(), d);
            byName.computeIfAbsent(d.path("name").asText(), k -> new ArrayList<>()).add(d);
        });
        System.out.printf("%-22s %8s %7s %8s  %-22s %-24s %s%n", "VERSION", "TRAIN", "TEST", "ADDED", "PARENT", "CREATED", "SOURCE");
        for (var group : byName.entrySet()) {
            System.out.println(group.getKey() + ":");
            group.getValue().sort(Comparator.comparing(d -> d.path("createdAt").asText()));
            for (JsonNode d : group.getValue()) {
                JsonNode parent = byId.get(d.path("parentId").asText(""));
                int added = d.path("trainCount").asInt() - (parent == null ? 0 : parent.path("trainCount").asInt());
                System.out.printf("%-22s %8d %7d %8s  %-22s %-24s %s%n", d.path("datasetId").asText(), d.path("trainCount").asInt(),
                        d.path("testCount").asInt(), parent == null ? "" : "+" + added, d.path("parentId").asText("-"),
                        d.path("createdAt").asText(""), d.path("source").asText());
            }
        }
        System.out.println(all.size() + " version(s) of " + byName.size() + " dataset(s)");
        return 0;
    }
}
