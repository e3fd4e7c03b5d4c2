package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.client.DeadLetters;
import dev.mnistpipeline.stack.client.DeadLetters.Letter;
import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.common.messaging.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline dlq list [topic]} and {@code ./pipeline dlq replay <topic> [--id KEY|PARTITION:OFFSET ...]}:
 * against the stack {@code up} started (as its admin), a context, the broker and credentials in
 * {@code KAFKA_BOOTSTRAP_SERVERS} and {@code PIPELINE_KAFKA_*}, or any plaintext broker with {@code --bootstrap}.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Dead-lettered records: why, and replay once fixed.",
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.ReplayLetters.class})
final class DlqCommand {

    /** Which broker, shared by both subcommands. */
    static final class Broker {
        @Mixin
        StackOptions stack = new StackOptions();
        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "a plaintext broker instead of the stack's")
        String bootstrap;

        DeadLetters deadLetters() throws IOException {
            return new DeadLetters(bootstrap != null ? KafkaEndpoint.plaintext(bootstrap) : stack.connect().adminKafka());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Dead-lettered records of TOPIC (default: every consumed topic) with time, key and reason.")
    static final class ListLetters implements Callable<Integer> {
        @Mixin
        Broker broker = new Broker();
        @Parameters(arity = "0..1", paramLabel = "TOPIC", description = "a consumed topic, e.g. samples.submitted")
        String topic;

        @Override
        public Integer call() throws IOException {
            DeadLetters dlq = broker.deadLetters();
            PrintStream out = System.out;
            Map<String, List<Letter>> all = new LinkedHashMap<>();
            for (String t : topic != null ? List.of(topic) : Topics.CONSUMED) {
                all.put(Topics.deadLetter(t), dlq.list(t));
            }
            if (broker.stack.printedJson(json(all), out)) {
                return 0;
            }
            int total = 0;
            for (var e : all.entrySet()) {
                long repeats = e.getValue().stream().filter(Letter::repeat).count();
                total += e.getValue().size() - (int) repeats;
                if (!e.getValue().isEmpty()) {
                    out.printf("%s (%d)%s%n", e.getKey(), e.getValue().size() - repeats,
                            repeats == 0 ? "" : " and " + repeats + " repeat(s) of the same source records, never replayed");
                    e.getValue().forEach(l -> out.printf("  %-8s %-24s %-28s %s%s%n", l.position(), l.time(), abbreviate(l.key(), 28),
                            l.reason(), l.repeat() ? "  [repeat of " + l.source() + "]" : l.replayed() ? "  [replayed]" : ""));
                }
            }
            out.println(total + " dead-lettered record(s)");
            return 0;
        }

        private static Map<String, Object> json(Map<String, List<Letter>> all) {
            Map<String, Object> json = new LinkedHashMap<>();
            all.forEach((topic, letters) -> json.put(topic, letters.stream().map(l -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("position", l.position());
                m.put("time", l.time().toString());
                m.put("key", l.key());
                m.put("reason", l.reason());
                m.put("replayed", l.replayed());
                m.put("source", l.source());
                m.put("repeat", l.repeat());
                return m;
            }).toList()));
            return json;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Put dead-lettered records back on TOPIC once the cause is fixed; without --id, those not replayed before.")
    static final class ReplayLetters implements Callable<Integer> {
        @Mixin
        Broker broker = new Broker();
        @Parameters(paramLabel = "TOPIC", description = "the source topic, one of the consumed topics")
        String topic;
        @Option(names = "--id", paramLabel = "ID", description = "a record key or PARTITION:OFFSET (repeatable)")
        List<String> ids = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            List<Letter> sent = broker.deadLetters().replay(topic, ids);
            PrintStream out = System.out;
            if (broker.stack.printedJson(Map.of("replayed", sent.stream().map(Letter::position).toList(), "topic", topic), out)) {
                return 0;
            }
            out.printf("replayed %d record(s) from %s to %s%n", sent.size(), Topics.deadLetter(topic), topic);
            sent.forEach(l -> out.printf("  %-8s %s%n", l.position(), l.key()));
            return 0;
        }
    }

    private static String abbreviate(String s, int max) {
        return s == null ? "-" : s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
