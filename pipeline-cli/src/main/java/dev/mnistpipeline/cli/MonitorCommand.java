package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.StackClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline monitor}: input and prediction drift of every served version, and live accuracy on published
 * labelled samples, as the evaluator sees them.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Input and prediction drift of each served model version: the last window's PSI per image statistic,"
                + " of the predicted classes and of the confidences, against its training reference; and each serving"
                + " version's accuracy on freshly published labelled samples.")
final class MonitorCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();

    @Override
    public Integer call() throws IOException {
        JsonNode status = stack.connect().get(StackClient.EVALUATOR, "/monitoring");
        if (stack.printedJson(status, System.out)) {
            return 0;
        }
        if (status.path("drift").isEmpty()) {
            System.out.println("no version has answered requests on this evaluator yet");
        }
        for (JsonNode s : status.path("drift")) {
            System.out.printf("%s %s: %d window(s) of %d, %d drifted (PSI > %.2f), %d in the next%s%n",
                    s.path("registeredModel").asText(), s.path("modelId").asText(), s.path("windows").asLong(),
                    s.path("windowSize").asInt(), s.path("drifted").asLong(), s.path("threshold").asDouble(),
                    s.path("filling").asInt(), s.path("reference").asBoolean() ? "" : " (no training reference: not compared)");
            JsonNode last = s.path("last");
            if (last.isObject()) {
                StringBuilder line = new StringBuilder("  last window:");
                last.path("inputPsi").fields().forEachRemaining(e -> line.append(String.format(" %s %.3f", e.getKey(), e.getValue().asDouble())));
                line.append(String.format(", classes %.3f, confidence %.3f%s", last.path("classPsi").asDouble(),
                        last.path("confidencePsi").asDouble(), last.path("drifted").asBoolean() ? "  DRIFTED" : ""));
                System.out.println(line);
            }
        }
        for (JsonNode a : status.path("liveAccuracy")) {
            System.out.printf("%s %s: live accuracy %.4f on the last %d labelled samples (%d scored)%n", a.path("registeredModel").asText(),
                    a.path("modelId").asText(), a.path("accuracy").asDouble(), a.path("window").asInt(), a.path("samples").asLong());
        }
        return 0;
    }
}
