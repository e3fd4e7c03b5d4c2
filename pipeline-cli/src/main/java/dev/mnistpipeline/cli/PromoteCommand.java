package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Roles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./pipeline promote MODEL --reason ...}: an operator makes an evaluated model the champion. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Make an evaluated model the champion by hand (past the gate); recorded with who and why, and served at once.")
final class PromoteCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Parameters(paramLabel = "MODEL", description = "the model id, e.g. model-first")
    String modelId;
    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded, shown in the dashboard)")
    String reason;

    @Override
    public Integer call() throws Exception {
        JsonNode change = stack.connect().postJson(StackClient.EVALUATOR, "/models/" + Ids.modelId(modelId) + "/promote",
                Roles.OPERATOR, Map.of("reason", reason));
        return ChangePrinter.print(change, stack, "promoted");
    }
}
