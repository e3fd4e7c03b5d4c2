package dev.mnistpipeline.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline models [--name NAME]}: a registered model's versions as a table, its champion and aliases, and
 * the latest changes of its champion.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Model versions with accuracy and gate verdict, the champion, and how it changed.")
final class ModelsCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Option(names = "--history", paramLabel = "N", description = "changes of the champion to show [5]")
    int history = 5;
    @Option(names = "--name", paramLabel = "NAME", description = "the registered model whose versions, champion and aliases to show [mnist]")
    String name = "mnist";

    @Override
    public Integer call() throws Exception {
        StackClient client = stack.connect();
        JsonNode registry = client.get(StackClient.EVALUATOR, "/models?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        if (stack.printedJson(registry, System.out)) {
            return 0;
        }
        System.out.printf("   %-32s %-12s %-20s %-24s %9s  %-9s %s%n", "MODEL", "ARCH", "DATASET", "BASE MODEL", "ACCURACY", "GATE", "CREATED");
        List<JsonNode> models = new ArrayList<>();
        registry.path("models").forEach(m -> {
            if (m.path("registeredModel").asText("mnist").equals(name)) {
                models.add(m);
            }
        });
        List<String> names = new ArrayList<>();
        registry.path("names").forEach(n -> names.add(n.asText()));
        System.out.printf("registered model %s%s%n", name, names.size() > 1 ? " (all: " + String.join(", ", names) + ")" : "");
        for (JsonNode m : models) {
            System.out.printf(" %s %-32s %-12s %-20s %-24s %9s  %-9s %s%n", m.path("champion").asBoolean() ? "★" : " ",
                    m.path("modelId").asText(), m.path("architecture").asText(), m.path("datasetId").asText(),
                    m.path("baseModelId").asText("-"), m.path("accuracy").isNumber() ? String.format("%.4f", m.path("accuracy").asDouble()) : "-",
                    m.path("decision").asText(), m.path("createdAt").asText(""));
        }
        JsonNode champion = registry.path("champion");
        System.out.println(champion.isObject()
                ? String.format("champion: %s (accuracy %.4f, generation %d)", champion.path("modelId").asText(),
                champion.path("accuracy").asDouble(), champion.path("generation").asLong())
                : "no champion of " + name + " yet: no model of it has passed the gate");
        client.find(StackClient.EVALUATOR, "/registered-models/" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                .ifPresent(detail -> detail.path("aliases").forEach(a -> System.out.printf("alias %s -> %s (by %s: %s)%n",
                        a.path("alias").asText(), a.path("modelId").asText(), a.path("by").asText(), a.path("reason").asText())));
        int shown = 0;
        for (JsonNode c : registry.path("history")) {
            if (shown++ == history) {
                break;
            }
            System.out.printf("  g%-3d %-25s %-9s %s%s%n", c.path("generation").asLong(), c.path("at").asText(), c.path("kind").asText(),
                    c.path("modelId").asText() + (c.path("replacedModelId").isTextual() ? " (was " + c.path("replacedModelId").asText() + ")" : ""),
                    c.path("kind").asText().equals("gate") ? "" : " by " + c.path("by").asText() + ": " + c.path("reason").asText());
        }
        return 0;
    }
}
