package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.common.quarkus.Roles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./pipeline ingest [SOURCE]}: a base dataset version from MNIST, a server-side folder or an https URL. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest a base dataset version: 'mnist' (the full set), a folder the ingest service may read, or an"
                + " https URL of the four IDX files. Preprocessing (and, if enabled, training) follow on their own.")
final class IngestCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Parameters(arity = "0..1", paramLabel = "SOURCE", description = "mnist | DIR | URL [mnist]")
    String source = "mnist";
    @Option(names = "--name", paramLabel = "NAME", description = "the dataset's name [mnist]")
    String name;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        // A folder given on this machine is read by the ingest service by its absolute path.
        body.put("source", Files.isDirectory(Path.of(source)) ? Path.of(source).toAbsolutePath().toString() : source);
        if (name != null) {
            body.put("name", name);
        }
        JsonNode r = stack.connect().postJson(StackClient.INGEST, "/datasets", Roles.OPERATOR, body);
        if (!stack.printedJson(r, System.out)) {
            System.out.printf("%s %s '%s': %d training and %d test images%s%n", r.path("created").asBoolean() ? "created" : "already had",
                    r.path("datasetId").asText(), r.path("name").asText(), r.path("trainCount").asInt(), r.path("testCount").asInt(),
                    r.path("parentId").isTextual() ? " (extends " + r.path("parentId").asText() + ")" : "");
        }
        return 0;
    }
}
