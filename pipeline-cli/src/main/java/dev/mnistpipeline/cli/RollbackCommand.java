package dev.mnistpipeline.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.common.quarkus.Roles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./pipeline rollback --reason ...}: back to the champion before the current one. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Return a registered model (--name, default mnist) to its champion before the current one (again: one further back); recorded and served at once.")
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded, shown in the dashboard)")
    String reason;
    @Option(names = "--name", paramLabel = "NAME", description = "the registered model [mnist]")
    String name = "mnist";

    @Override
    public Integer call() throws Exception {
        JsonNode change = stack.connect().postJson(StackClient.EVALUATOR, "/models/champion/rollback?name="
                + URLEncoder.encode(name, StandardCharsets.UTF_8), Roles.OPERATOR,
                Map.of("reason", reason));
        return ChangePrinter.print(change, stack, "rolled back to");
    }
}
