package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.client.KafkaEndpoint;
import dev.mnistpipeline.cli.stack.Layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the CLI connects to when told nothing: the process environment when it names a broker
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code PIPELINE_KAFKA_*}), else {@code .pipeline/up/stack.env}, which
 * {@code ./pipeline up} writes.
 */
final class StackEnv {
    private StackEnv() {
    }

    /** The broker as its admin (every topic): DLQ listing and replay. */
    static KafkaEndpoint adminKafka() throws IOException {
        if (System.getenv("KAFKA_BOOTSTRAP_SERVERS") != null) {
            return KafkaEndpoint.fromEnv(System.getenv());
        }
        Path stackEnv = Layout.detect().stateDir().resolve("up/stack.env");
        if (!Files.exists(stackEnv)) {
            throw new IllegalArgumentException("no broker: start one with ./pipeline up, or pass --bootstrap HOST:PORT");
        }
        return KafkaEndpoint.fromEnv(read(stackEnv));
    }

    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return env;
    }
}
