package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.client.DeadLetters.Letter;
import dev.mnistpipeline.cli.client.DeadLetters;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.common.messaging.Topics;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./pipeline dlq list [topic]} and {@code ./pipeline dlq replay <topic> [--id KEY|PARTITION:OFFSET ...]}:
 * against the stack {@code up} started, or any broker with {@code --bootstrap host:port} (or
 * {@code KAFKA_BOOTSTRAP_SERVERS}).
 */
final class DlqCommand {
    static final String USAGE = """
            dlq list [TOPIC]             dead-lettered records of TOPIC (default: every consumed topic) with time, key, reason
            dlq replay TOPIC [--id ID]   put them back on TOPIC once the cause is fixed; without --id, those not replayed before
                                         (ID: a record key or PARTITION:OFFSET, repeatable); both take --bootstrap HOST:PORT""";

    private DlqCommand() {
    }

    static int run(String[] args, PrintStream out) throws IOException {
        if (args.length < 2 || !List.of("list", "replay").contains(args[1])) {
            throw new IllegalArgumentException("usage:\n" + USAGE);
        }
        String bootstrap = null, topic = null;
        List<String> ids = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = value(args, ++i, "--bootstrap");
                case "--id" -> ids.add(value(args, ++i, "--id"));
                default -> {
                    if (topic != null || args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unexpected '" + args[i] + "'\nusage:\n" + USAGE);
                    }
                    topic = args[i];
                }
            }
        }
        DeadLetters dlq = new DeadLetters(bootstrap != null ? bootstrap : defaultBootstrap());
        if (args[1].equals("list")) {
            int total = 0;
            for (String t : topic != null ? List.of(topic) : Topics.CONSUMED) {
                List<Letter> letters = dlq.list(t);
                total += letters.size();
                if (!letters.isEmpty()) {
                    out.printf("%s (%d)%n", Topics.deadLetter(t), letters.size());
                    letters.forEach(l -> out.printf("  %-8s %-24s %-28s %s%s%n", l.position(), l.time(), abbreviate(l.key(), 28),
                            l.reason(), l.replayed() ? "  [replayed]" : ""));
                }
            }
            out.println(total + " dead-lettered record(s)");
            return 0;
        }
        if (topic == null) {
            throw new IllegalArgumentException("dlq replay needs the source topic, one of " + Topics.CONSUMED);
        }
        List<Letter> sent = dlq.replay(topic, ids);
        out.printf("replayed %d record(s) from %s to %s%n", sent.size(), Topics.deadLetter(topic), topic);
        sent.forEach(l -> out.printf("  %-8s %s%n", l.position(), l.key()));
        return 0;
    }

    /** {@code KAFKA_BOOTSTRAP_SERVERS}, else the stack {@code ./pipeline up} started. */
    static String defaultBootstrap() throws IOException {
        String env = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path stackEnv = Layout.detect().stateDir().resolve("up/stack.env");
        if (Files.exists(stackEnv)) {
            for (String line : Files.readAllLines(stackEnv)) {
                if (line.startsWith("KAFKA_BOOTSTRAP_SERVERS=")) {
                    return line.substring(line.indexOf('=') + 1).trim();
                }
            }
        }
        throw new IllegalArgumentException("no broker: start one with ./pipeline up, or pass --bootstrap HOST:PORT");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static String abbreviate(String s, int max) {
        return s == null ? "-" : s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
