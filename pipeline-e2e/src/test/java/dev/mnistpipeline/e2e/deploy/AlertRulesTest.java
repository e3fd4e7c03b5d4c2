package dev.mnistpipeline.e2e.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The alert rules in {@code deploy/base/monitoring/alerts.yaml} are valid and behave as {@code alerts-test.yaml}
 * says, by {@code promtool} (Debian's {@code prometheus} package, which {@code .ci/run} installs): the groups of its
 * PrometheusRules are written out as a plain rules file and unit-tested against series that should and should not
 * fire.
 */
public class AlertRulesTest {
    static final Path MONITORING = DeployManifestsTest.ROOT.resolve("deploy/base/monitoring");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The groups of every PrometheusRule in alerts.yaml, as one plain Prometheus rules file. */
    public static Path rulesFile(Path dir) throws IOException {
        ArrayNode groups = YAML.createArrayNode();
        try (var parser = YAML.getFactory().createParser(MONITORING.resolve("alerts.yaml").toFile())) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && "PrometheusRule".equals(doc.path("kind").asText())) {
                    doc.path("spec").path("groups").forEach(groups::add);
                }
            }
        }
        ObjectNode rules = YAML.createObjectNode();
        rules.set("groups", groups);
        Path file = dir.resolve("rules.yaml");
        YAML.writeValue(file.toFile(), rules);
        return file;
    }

    public static boolean promtoolAvailable() {
        try {
            return new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void everyAlertTheLoopNeedsIsThereAndTestedByPromtool() throws Exception {
        Path dir = Files.createTempDirectory("alert-rules-");
        Path rules = rulesFile(dir);
        Set<String> alerts = new TreeSet<>();
        YAML.readTree(rules.toFile()).path("groups").forEach(g -> g.path("rules").forEach(r -> alerts.add(r.path("alert").asText())));
        assertTrue(alerts.containsAll(List.of("PipelineInputDrift", "PipelineLiveAccuracyDrop", "PipelineDeadLettersGrowing",
                "PipelineConsumerLag", "PipelineStuckRecords", "PipelineRunsFailing", "PipelineRolloutAborted")), alerts.toString());
        String tests = Files.readString(MONITORING.resolve("alerts-test.yaml"));
        for (String alert : alerts) {
            if (!List.of("PipelinePermanentFault", "PipelineStuckRecords", "PipelineRunsWaiting").contains(alert)) {
                assertTrue(tests.contains("alertname: " + alert), alert + " has a promtool test");
            }
        }
        assumeTrue(promtoolAvailable(), "promtool is not installed (Debian: apt-get install prometheus); .ci/run installs it");
        Files.writeString(dir.resolve("alerts-test.yaml"), tests);
        assertPromtool(dir, "check", "rules", "rules.yaml");
        assertPromtool(dir, "test", "rules", "alerts-test.yaml");
    }

    private static void assertPromtool(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool " + String.join(" ", args) + " did not finish");
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
        System.out.println("promtool " + String.join(" ", args) + ": " + out.strip());
    }
}
