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
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline alias NAME ALIAS MODEL_ID --reason ...}: points an alias of a registered model ({@code staging},
 * {@code canary}, ...) at one of its versions; {@code --remove} takes it away. The champion moves only by the gate,
 * {@code promote} or {@code rollback}.
 */
@Command(name = "alias", mixinStandardHelpOptions = true,
        description = "Point an alias (staging, canary, ...) of a registered model at one of its versions, or remove it"
                + " (--remove); predict with --version ALIAS.")
final class AliasCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Parameters(index = "0", paramLabel = "NAME", description = "the registered model, e.g. mnist")
    String name;
    @Parameters(index = "1", paramLabel = "ALIAS", description = "the alias, e.g. staging")
    String alias;
    @Parameters(index = "2", arity = "0..1", paramLabel = "MODEL_ID", description = "the version it points at (not with --remove)")
    String modelId;
    @Option(names = "--reason", paramLabel = "TEXT", description = "why (recorded with who and when); required to set")
    String reason;
    @Option(names = "--remove", description = "remove the alias")
    boolean remove;

    @Override
    public Integer call() throws Exception {
        String path = "/registered-models/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/aliases/"
                + URLEncoder.encode(alias, StandardCharsets.UTF_8);
        StackClient client = stack.connect();
        JsonNode answer;
        if (remove) {
            if (modelId != null) {
                throw new IllegalArgumentException("--remove takes NAME and ALIAS only");
            }
            answer = client.delete(StackClient.EVALUATOR, path, Roles.OPERATOR);
        } else {
            if (modelId == null || reason == null) {
                throw new IllegalArgumentException("give the version and why: ./pipeline alias NAME ALIAS MODEL_ID --reason TEXT");
            }
            answer = client.putJson(StackClient.EVALUATOR, path, Roles.OPERATOR, Map.of("modelId", modelId, "reason", reason));
        }
        if (!stack.printedJson(answer, System.out)) {
            System.out.printf("%s %s of %s%s%n", remove ? "removed alias" : "alias", answer.path("alias").asText(),
                    answer.path("registeredModel").asText(), remove ? " (was " + answer.path("modelId").asText() + ")"
                            : " -> " + answer.path("modelId").asText());
        }
        return 0;
    }
}
