package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.client.DeadLetters.Letter;
import dev.mnistpipeline.cli.client.DeadLetters;
import dev.mnistpipeline.cli.client.KafkaEndpoint;
import dev.mnistpipeline.common.messaging.Topics;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./pipeline dlq list [topic]} and {@code ./pipeline dlq replay <topic> [--id KEY|PARTITION:OFFSET ...]}:
 * against the stack {@code up} started (as its admin, from {@code stack.env}), or any plaintext broker with
 * {@code --bootstrap host:port}, or the broker and credentials in {@code KAFKA_BOOTSTRAP_SERVERS} and
 * {@code PIPELINE_KAFKA_*}.
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
        DeadLetters dlq = new DeadLetters(bootstrap != null ? KafkaEndpoint.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap))
                : StackEnv.adminKafka());
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
