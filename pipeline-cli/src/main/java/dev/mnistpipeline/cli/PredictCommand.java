package dev.mnistpipeline.cli;

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

/** {@code ./pipeline predict IMAGE...}: the champion's top three digits for each image (PNG, JPEG, ...). */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "The serving champion's top-3 digits for each image (PNG, JPEG or other common formats, any size).")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        StackClient client = stack.connect();
        List<Map<String, Object>> results = new ArrayList<>();
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new IllegalArgumentException(image + " is not a file");
            }
            JsonNode p = client.postBytes(StackClient.EVALUATOR, "/predict", Roles.PREDICTOR, "application/octet-stream",
                    Files.readAllBytes(image));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("image", image.toString());
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
}
