package dev.mnistpipeline.cli;

import dev.mnistpipeline.common.events.RunPhase;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.DashboardEvents;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline watch RUN}: the run live in the terminal (a progress bar with loss, accuracy and images/s, each
 * epoch's validation accuracy) until it is evaluated and the gate has decided. Follows the evaluator's event stream,
 * so it needs only a viewer token, also against a cluster.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follow a training run live until it is evaluated and the gate decides (exit 0; a pass into a rollout is a decision), fails or is cancelled (exit 1).")
final class WatchCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack = new StackOptions();
    @Parameters(paramLabel = "RUN", description = "the run id (train prints it)")
    String runId;
    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "give up after this long, e.g. 30m [2h]")
    Duration timeout = Duration.ofHours(2);

    @Override
    public Integer call() throws Exception {
        return watch(stack.connect(), Ids.runId(runId), timeout, stack.json, System.out);
    }

    /** Watches a run; 0 when it was evaluated and decided, 1 when it failed, was cancelled or the time ran out. */
    static int watch(StackClient client, String runId, Duration timeout, boolean json, PrintStream out) throws InterruptedException {
        String modelId = ObjectKeys.modelId(runId);
        RunView view = new RunView(runId, json, out);
        try (DashboardEvents events = DashboardEvents.open(client)) {
            // The stream is open, so what happens from here on arrives; what happened before is asked for.
            Optional<JsonNode> status = client.find(StackClient.TRAINER, "/trainings/" + runId);
            status.map(s -> s.path("lastMetrics")).filter(JsonNode::isObject).ifPresent(view::metrics);
            if (status.isEmpty()) {
                view.note("unknown to the trainer so far (published by hand and not read yet?)");
            }
            status.filter(st -> !st.path("lastMetrics").isObject()).ifPresent(st -> view.note(st.path("state").asText()
                    + (st.path("reason").isTextual() ? ": " + st.path("reason").asText() : "")));
            Optional<JsonNode> decided = client.find(StackClient.EVALUATOR, "/models/" + modelId)
                    .filter(m -> m.path("decision").isObject());
            if (decided.isPresent()) {
                view.evaluation(decided.get().path("evaluation"));
                return view.decision(decided.get().path("decision"));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<DashboardEvents.Event> next = events.next(Duration.ofSeconds(1));
                if (next.isEmpty()) {
                    if (events.ended()) {
                        return view.fail("the evaluator closed its event stream (it stopped?); watch again when it is back");
                    }
                    continue;
                }
                JsonNode e = next.get().value();
                switch (next.get().topic()) {
                    case Topics.TRAINING_METRICS -> {
                        if (runId.equals(e.path("runId").asText())) {
                            RunPhase phase = RunPhase.of(e.path("phase").asText());
                            if (phase == RunPhase.WAITING) {
                                view.note("waiting: " + e.path("message").asText());
                                continue;
                            }
                            view.metrics(e);
                            if (phase == RunPhase.FAILED || phase == RunPhase.CANCELLED || phase == RunPhase.REFUSED) {
                                return view.fail("run " + phase + ": " + e.path("message").asText());
                            }
                        }
                    }
                    case Topics.EVALUATION_COMPLETED -> {
                        if (modelId.equals(e.path("modelId").asText())) {
                            client.find(StackClient.EVALUATOR, "/evaluations/" + e.path("evaluationId").asText()).ifPresent(view::evaluation);
                        }
                    }
                    case Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED -> {
                        if (modelId.equals(e.path("modelId").asText()) && e.path("decision").isObject()
                                && (e.path("change").isMissingNode() || "gate".equals(e.path("change").path("kind").asText()))) {
                            return view.decision(e.path("decision"));
                        }
                    }
                    case Topics.MODEL_ROLLOUT -> {
                        // The gate passed it into a rollout (pipeline.registry.on-gate-pass): that is its decision.
                        JsonNode rollout = e.path("rollout");
                        if (modelId.equals(rollout.path("challengerModelId").asText()) && "gate".equals(rollout.path("startedBy").asText())) {
                            Optional<JsonNode> decision = client.find(StackClient.EVALUATOR, "/models/" + modelId)
                                    .map(m -> m.path("decision")).filter(JsonNode::isObject);
                            if (decision.isPresent()) {
                                return view.decision(decision.get());
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            return view.fail("no gate decision for " + modelId + " within " + timeout);
        }
    }

    /** How a run is shown: a line that updates in place on a terminal, one JSON object per event with --json. */
    private static final class RunView {
        private static final Duration LINE_EVERY = Duration.ofSeconds(5);
        private final String runId;
        private final boolean json;
        private final PrintStream out;
        private final boolean terminal = System.console() != null;
        private long lastLine;
        private final Map<String, Object> summary = new LinkedHashMap<>();

        RunView(String runId, boolean json, PrintStream out) {
            this.runId = runId;
            this.json = json;
            this.out = out;
            summary.put("runId", runId);
        }

        void note(String text) {
            if (json) {
                out.println(Json.write(Map.of("runId", runId, "note", text)));
            } else {
                out.println("run " + runId + ": " + text);
            }
        }

        void metrics(JsonNode m) {
            if (json) {
                out.println(Json.write(Map.of("topic", Topics.TRAINING_METRICS, "event", m)));
                return;
            }
            RunPhase phase = RunPhase.of(m.path("phase").asText());
            long step = m.path("step").asLong(), total = m.path("totalSteps").asLong();
            String line = String.format("run %s %s epoch %d/%d  step %d/%d  loss %.4f  acc %.4f  %,.0f img/s", runId,
                    bar(total == 0 ? 0 : (double) step / total), m.path("epoch").asInt(), m.path("epochs").asInt(), step, total,
                    m.path("loss").asDouble(), m.path("accuracy").asDouble(), m.path("imagesPerSecond").asDouble());
            switch (phase) {
                case STEP -> {
                    if (terminal) {
                        out.print("\r" + line);
                        out.flush();
                    } else if (System.nanoTime() - lastLine > LINE_EVERY.toNanos()) {
                        out.println(line);
                        lastLine = System.nanoTime();
                    }
                }
                case EPOCH -> println(String.format("epoch %d/%d: loss %.4f, accuracy %.4f, validation accuracy %.4f",
                        m.path("epoch").asInt(), m.path("epochs").asInt(), m.path("loss").asDouble(), m.path("accuracy").asDouble(),
                        m.path("validationAccuracy").asDouble()));
                case COMPLETED -> println("run " + runId + " completed: validation accuracy "
                        + String.format("%.4f", m.path("validationAccuracy").asDouble()) + "; evaluating ...");
                default -> println("run " + runId + ": " + phase + (m.path("message").asText().isEmpty() ? "" : " (" + m.path("message").asText() + ")"));
            }
        }

        void evaluation(JsonNode report) {
            if (report == null || !report.isObject()) {
                return;
            }
            summary.put("evaluationId", report.path("evaluationId").asText());
            summary.put("accuracy", report.path("accuracy").asDouble());
            if (json) {
                out.println(Json.write(Map.of("topic", Topics.EVALUATION_COMPLETED, "event", report)));
            } else {
                println(String.format("evaluated %s: test accuracy %.4f on %d images (%s)", report.path("modelId").asText(),
                        report.path("accuracy").asDouble(), report.path("testCount").asInt(), report.path("evaluationId").asText()));
            }
        }

        int decision(JsonNode d) {
            boolean promoted = d.path("promoted").asBoolean();
            String rollout = d.path("rollout").isTextual() ? d.path("rollout").asText() : null;
            summary.put("modelId", d.path("modelId").asText());
            summary.put("promoted", promoted);
            if (rollout != null) {
                summary.put("rollout", rollout);
            }
            summary.put("reasons", d.path("reasons"));
            if (json) {
                out.println(Json.write(summary));
            } else {
                println("gate: " + (promoted ? "PROMOTED" : rollout != null ? "passed, rolled out as a " + rollout : "rejected")
                        + " " + d.path("modelId").asText());
                d.path("reasons").forEach(r -> out.println("  - " + r.asText()));
            }
            return 0;
        }

        int fail(String reason) {
            summary.put("error", reason);
            if (json) {
                out.println(Json.write(summary));
            } else {
                println(reason);
            }
            return 1;
        }

        private void println(String text) {
            out.println((terminal ? "\r\033[K" : "") + text);
        }

        private static String bar(double fraction) {
            int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 20);
            return "[" + "#".repeat(filled) + "-".repeat(20 - filled) + "]";
        }
    }
}
