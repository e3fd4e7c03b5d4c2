package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.Layout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.InputStream;

/** {@code ./pipeline ...} as a user runs it: the packaged launcher jar in its own JVM, with the given environment. */
final class CliProcess {
    /** How it ended, with what it printed on each stream. */
    record Result(int exitCode, String out, String err) {
        /** The last line of the output: commands end with their JSON result. */
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private CliProcess() {
    }

    static Result run(Layout layout, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dpipeline.home=" + layout.root(), "-jar", layout.cliJar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process p = builder.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "./pipeline " + String.join(" ", args) + " did not finish: " + out);
        Result r = new Result(p.exitValue(), out, err.join());
        System.out.printf("$ ./pipeline %s  (exit %d)%n%s", String.join(" ", args), r.exitCode(), r.out());
        return r;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
