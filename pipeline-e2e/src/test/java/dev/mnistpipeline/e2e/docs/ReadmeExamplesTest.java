package dev.mnistpipeline.e2e.docs;

import dev.mnistpipeline.stack.Layout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The README's examples work as written. Every block fenced {@code ```bash run} runs, in the order of the file, in
 * one shell in the checkout's root against {@code ./pipeline up} (started and stopped here), with the tokens that
 * {@code up} writes: a curl that answers an HTTP error or a command that exits non-zero fails the test and names
 * the block. Examples that need a Kubernetes cluster are fenced {@code ```bash cluster}, and must be.
 */
class ReadmeExamplesTest {
    private static final Layout LAYOUT = new Layout(Path.of("..").toAbsolutePath().normalize());
    /** The shell the examples run in: what a reader types, except that any HTTP error counts as a failure. */
    private static final String PRELUDE = String.join("\n",
            "set -eu",
            "curl() { command curl -sS --fail-with-body --max-time 300 \"$@\"; echo; }",
            "trap 'echo \"FAILED: $BASH_COMMAND\" >&2' ERR",
            "");
    private static final Pattern CLUSTER_COMMAND = Pattern.compile("(?m)^\\s*(kubectl|helm|kind)\\s");

    /** A fenced block of a Markdown file. */
    record Block(String file, int line, String info, String body) {
        String where() {
            return file + ":" + line;
        }
    }

    static List<Block> blocks(Path markdown) throws IOException {
        List<Block> blocks = new ArrayList<>();
        List<String> lines = Files.readAllLines(markdown);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```")) {
                continue;
            }
            int start = i;
            StringBuilder body = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                body.append(lines.get(i)).append('\n');
            }
            blocks.add(new Block(LAYOUT.root().relativize(markdown).toString(), start + 1, lines.get(start).substring(3).trim(), body.toString()));
        }
        return blocks;
    }

    @Test
    void everyRunnableReadmeExampleWorksOnUp() throws Exception {
        Path up = LAYOUT.stateDir().resolve("up");
        assumeFalse(Files.exists(up.resolve("pids")) || Files.exists(up.resolve("containers")),
                "a stack of this checkout is up (" + up + "); this test would need its ports");
        List<Block> runnable = blocks(LAYOUT.root().resolve("README.md")).stream().filter(b -> b.info().equals("bash run")).toList();
        assertTrue(runnable.size() >= 6, "the README's runnable examples: " + runnable.size());
        StringBuilder script = new StringBuilder(PRELUDE);
        for (Block b : runnable) {
            script.append("echo '### ").append(b.where()).append("'\n").append(b.body());
        }
        try {
            Result started = shell("./pipeline up", 10);
            assertEquals(0, started.exitCode(), "./pipeline up:\n" + started.output());
            Result examples = shell(script.toString(), 20);
            System.out.printf("README examples: %d blocks, %d command lines%n%s%n", runnable.size(), commandLines(runnable), examples.output());
            assertEquals(0, examples.exitCode(), "a README example failed (the last ### names its block):\n" + tail(examples.output()));
            assertTrue(examples.output().contains("\"modelId\":\"model-my-run\""), "the trained model serves: " + tail(examples.output()));
            assertTrue(examples.output().contains("{\"name\":\"label\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[7]}"),
                    "the inference protocol reads the subset's first test image, a 7: " + tail(examples.output()));
        } finally {
            Result stopped = shell("./pipeline down", 5);
            assertEquals(0, stopped.exitCode(), "./pipeline down:\n" + stopped.output());
        }
    }

    @Test
    void examplesThatNeedAClusterAreMarkedAsSuch() throws Exception {
        List<Block> all = new ArrayList<>(blocks(LAYOUT.root().resolve("README.md")));
        all.addAll(blocks(LAYOUT.root().resolve("deploy/README.md")));
        long cluster = 0;
        for (Block b : all) {
            boolean needsCluster = CLUSTER_COMMAND.matcher(b.body()).find();
            if (needsCluster) {
                assertEquals("bash cluster", b.info(), b.where() + " runs kubectl, helm or kind: fence it ```bash cluster");
                cluster++;
            } else {
                assertTrue(!b.info().equals("bash cluster"), b.where() + " is marked cluster but needs none");
            }
        }
        assertTrue(cluster >= 1, "deploy/README.md's walkthrough needs a cluster");
    }

    private static long commandLines(List<Block> blocks) {
        return blocks.stream().flatMap(b -> b.body().lines())
                .filter(l -> !l.isBlank() && !l.trim().startsWith("#") && !l.startsWith(" ")).count();
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs {@code script} in bash in the checkout's root, as a reader would, with stdout and stderr together. */
    private static Result shell(String script, int minutes) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(LAYOUT.root().toFile()).redirectErrorStream(true);
        builder.environment().put("PIPELINE_SKIP_BUILD", "1"); // the jars this build just made
        Process p = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try (var in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return new Result(-1, "did not finish within " + minutes + " min:\n" + out.join());
        }
        return new Result(p.exitValue(), out.join());
    }

    private static String tail(String output) {
        return output.length() <= 6000 ? output : "…" + output.substring(output.length() - 6000);
    }
}
