package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.stack.client.StackClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline rollout start|status|promote|abort}: canary and shadow rollouts of a challenger against its
 * registered model's champion, with the live comparison.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Roll a challenger out against its registered model's champion: canary (a share of the traffic) or"
                + " shadow (a copy of it), compared live, promoted or aborted by its policy or by hand.",
        subcommands = {RolloutCommand.Start.class, RolloutCommand.Status.class, RolloutCommand.Promote.class, RolloutCommand.Abort.class})
final class RolloutCommand {

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a rollout of MODEL against NAME's champion.")
    static final class Start implements Callable<Integer> {
        @Mixin
        StackOptions stack = new StackOptions();
        @Parameters(index = "0", paramLabel = "NAME", description = "the registered model, e.g. mnist")
        String name;
        @Parameters(index = "1", paramLabel = "MODEL_ID", description = "the challenger, an evaluated version of NAME")
        String challenger;
        @Option(names = "--mode", paramLabel = "canary|shadow", description = "canary answers a share of the traffic, shadow scores a copy [canary]")
        String mode = "canary";
        @Option(names = "--share", paramLabel = "FRACTION", description = "canary: the challenger's share of the traffic [0.1]")
        Double share;
        @Option(names = "--min-requests", paramLabel = "N", description = "requests compared before the policy decides [200]")
        Integer minRequests;
        @Option(names = "--min-agreement", paramLabel = "FRACTION", description = "promote only if both predict the same class this often [0.97]")
        Double minAgreement;
        @Option(names = "--max-confidence-drop", paramLabel = "FRACTION", description = "promote only if the challenger's mean confidence is at most this much lower [0.02]")
        Double maxConfidenceDrop;
        @Option(names = "--max-latency-ratio", paramLabel = "X", description = "promote only if the challenger is at most X times slower [3]")
        Double maxLatencyRatio;
        @Option(names = "--min-labelled", paramLabel = "N", description = "also wait for N labelled samples and judge live accuracy instead of agreement [0: no]")
        Integer minLabelled;
        @Option(names = "--max-accuracy-drop", paramLabel = "FRACTION", description = "with labels: promote only if the challenger's live accuracy is at most this much lower [0]")
        Double maxAccuracyDrop;
        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
        String reason;

        @Override
        public Integer call() throws IOException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("registeredModel", name);
            body.put("challengerModelId", challenger);
            body.put("mode", mode);
            if (share != null) {
                body.put("share", share);
            }
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("minRequests", minRequests);
            policy.put("minAgreement", minAgreement);
            policy.put("maxConfidenceDrop", maxConfidenceDrop);
            policy.put("maxLatencyRatio", maxLatencyRatio);
            policy.put("minLabelled", minLabelled);
            policy.put("maxAccuracyDrop", maxAccuracyDrop);
            policy.values().removeIf(Objects::isNull); // left out: the service's defaults
            body.put("policy", policy);
            body.put("reason", reason);
            JsonNode rollout = stack.connect().postJson(StackClient.EVALUATOR, "/rollouts", Roles.OPERATOR, body);
            if (!stack.printedJson(rollout, System.out)) {
                print(rollout);
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The running rollouts, or NAME's current or last one, compared live.")
    static final class Status implements Callable<Integer> {
        @Mixin
        StackOptions stack = new StackOptions();
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "a registered model [every running rollout]")
        String name;

        @Override
        public Integer call() throws IOException {
            StackClient client = stack.connect();
            JsonNode answer = name == null ? client.get(StackClient.EVALUATOR, "/rollouts")
                    : client.get(StackClient.EVALUATOR, "/rollouts/" + encode(name)).path("latest");
            if (stack.printedJson(answer, System.out)) {
                return 0;
            }
            if (answer.isArray()) {
                if (answer.isEmpty()) {
                    System.out.println("no rollout is running");
                }
                answer.forEach(RolloutCommand::print);
            } else {
                print(answer);
            }
            return 0;
        }
    }

    /** What promote and abort share: the name, the reason, and the call that ends the rollout. */
    abstract static class Ending implements Callable<Integer> {
        @Mixin
        StackOptions stack = new StackOptions();
        @Parameters(index = "0", paramLabel = "NAME", description = "the registered model")
        String name;
        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
        String reason;

        /** The last path segment: {@code promote} or {@code abort}. */
        abstract String action();

        @Override
        public Integer call() throws IOException {
            JsonNode rollout = stack.connect().postJson(StackClient.EVALUATOR, "/rollouts/" + encode(name) + "/" + action(),
                    Roles.OPERATOR, Map.of("reason", reason));
            if (!stack.printedJson(rollout, System.out)) {
                print(rollout);
            }
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "End NAME's rollout: the challenger becomes the champion.")
    static final class Promote extends Ending {
        @Override
        String action() {
            return "promote";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "End NAME's rollout: the champion keeps all the traffic.")
    static final class Abort extends Ending {
        @Override
        String action() {
            return "abort";
        }
    }

    private static void print(JsonNode r) {
        System.out.printf("rollout %s of %s: %s %s against %s, %s%s%n", r.path("rolloutId").asText(), r.path("registeredModel").asText(),
                r.path("mode").asText(), r.path("challengerModelId").asText(), r.path("championModelId").asText(), r.path("state").asText(),
                r.path("mode").asText().equals("canary") ? String.format(" (%.0f %% of the traffic)", 100 * r.path("share").asDouble()) : "");
        JsonNode c = r.path("comparison");
        if (c.isObject()) {
            System.out.printf("  compared %d (needs %d): agreement %.4f, confidence %.4f vs champion %.4f, %.2f ms vs %.2f ms%n",
                    c.path("compared").asLong(), r.path("policy").path("minRequests").asInt(), c.path("agreement").asDouble(),
                    c.path("challengerConfidence").asDouble(), c.path("championConfidence").asDouble(),
                    c.path("challengerMillis").asDouble(), c.path("championMillis").asDouble());
        }
        if (r.path("decision").isTextual()) {
            System.out.printf("  %s by %s: %s%n", r.path("state").asText(), r.path("decidedBy").asText(), r.path("decision").asText());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
