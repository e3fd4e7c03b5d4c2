package dev.mnistpipeline.cli;

import picocli.CommandLine.Option;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.common.quarkus.Roles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./pipeline predict IMAGE...}: a registered model's top three digits for each image (PNG, JPEG, ...). */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "The top-3 digits for each image (PNG, JPEG or other common formats, any size), from a registered"
                + " model's champion (--model, default mnist) or a version or alias of it (--version).")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;
    @Option(names = "--model", paramLabel = "NAME", description = "the registered model to ask [mnist]")
    String model;
    @Option(names = "--version", paramLabel = "MODEL_ID|ALIAS", description = "a version or alias of it, e.g. staging [its champion]")
    String version;

    @Override
    public Integer call() throws Exception {
        StackClient client = stack.connect();
        List<Map<String, Object>> results = new ArrayList<>();
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new IllegalArgumentException(image + " is not a file");
            }
            JsonNode p = client.postBytes(StackClient.EVALUATOR, "/predict" + query(), Roles.PREDICTOR, "application/octet-stream",
                    Files.readAllBytes(image));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("image", image.toString());
            r.put("model", p.path("model").asText());
            r.put("modelId", p.path("modelId").asText());
            r.put("top", p.path("top"));
            r.put("millis", p.path("millis").asDouble());
            results.add(r);
        }
        if (stack.printedJson(results, System.out)) {
            return 0;
        }
        for (Map<String, Object> r : results) {
            StringBuilder line = new StringBuilder(String.format("%-40s", r.get("image")));
            ((JsonNode) r.get("top")).forEach(t -> line.append(String.format("  %d (%5.1f %%)", t.path("label").asInt(),
                    100 * t.path("probability").asDouble())));
            System.out.println(line + String.format("   [%s, %.1f ms]", r.get("modelId"), (double) r.get("millis")));
        }
        return 0;
    }

    private String query() {
        StringBuilder q = new StringBuilder();
        if (model != null) {
            q.append(q.isEmpty() ? "?" : "&").append("model=").append(URLEncoder.encode(model, StandardCharsets.UTF_8));
        }
        if (version != null) {
            q.append(q.isEmpty() ? "?" : "&").append("version=").append(URLEncoder.encode(version, StandardCharsets.UTF_8));
        }
        return q.toString();
    }
}
