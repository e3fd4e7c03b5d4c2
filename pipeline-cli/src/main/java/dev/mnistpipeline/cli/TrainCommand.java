package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.common.quarkus.Roles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./pipeline train [options]}: a training request to the running trainer, optionally followed live. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Submit a training run to the running stack (defaults: the latest prepared dataset, the trainer's"
                + " hyperparameters); --watch follows it until the gate decides.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Mixin
    HyperparameterOptions hyperparameters = new HyperparameterOptions();
    @Option(names = "--run-id", paramLabel = "ID", description = "name the run (idempotent: the same id trains once) [generated]")
    String runId;
    @Option(names = "--prepared-id", paramLabel = "ID", description = "train on this prepared dataset [the latest]")
    String preparedId;
    @Option(names = "--registered-model", paramLabel = "NAME", description = "the registered model the new version joins [the dataset's name]")
    String registeredModel;
    @Option(names = "--watch", description = "follow the run until it is evaluated and gated")
    boolean watch;
    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "with --watch: give up after this long [2h]")
    Duration timeout = Duration.ofHours(2);

    @Override
    public Integer call() throws Exception {
        StackClient client = stack.connect();
        Map<String, Object> request = new LinkedHashMap<>();
        if (runId != null) {
            request.put("runId", runId);
        }
        if (preparedId != null) {
            request.put("preparedId", preparedId);
        }
        if (registeredModel != null) {
            request.put("registeredModel", registeredModel);
        }
        request.put("hyperparameters", hyperparameters.given());
        JsonNode accepted = client.postJson(StackClient.TRAINER, "/trainings", Roles.OPERATOR, request);
        String run = accepted.path("runId").asText();
        if (!stack.printedJson(accepted, System.out)) {
            JsonNode hp = accepted.path("hyperparameters");
            System.out.printf("accepted run %s -> model %s on %s: %s, %d epochs, batch %d, learning rate %s, %s%n", run,
                    accepted.path("modelId").asText(), accepted.path("preparedId").asText(), hp.path("architecture").asText(),
                    hp.path("epochs").asInt(), hp.path("batchSize").asInt(), hp.path("learningRate").asText(), hp.path("optimizer").asText());
            if (!watch) {
                System.out.println("follow it with: ./pipeline watch " + run);
            }
        }
        return watch ? WatchCommand.watch(client, run, timeout, stack.json, System.out) : 0;
    }
}
