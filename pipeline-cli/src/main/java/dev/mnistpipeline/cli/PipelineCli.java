package dev.mnistpipeline.cli;

import java.io.PrintStream;

/**
 * {@code ./pipeline <command>}: the embedded local stack and what runs on it. One class per command:
 * {@link DemoCommand} (demo, train), {@link UpCommand}, {@link DownCommand}, {@link DlqCommand}; benchmarks live in the
 * {@code pipeline-bench} module ({@code ./pipeline bench}).
 */
public final class PipelineCli {
    private PipelineCli() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            usage(System.err);
            System.exit(2);
        }
        System.exit(exitCode(() -> switch (args[0]) {
            case "demo", "train" -> DemoCommand.run(TrainOptions.parse(args, 1));
            case "up" -> UpCommand.up(java.util.Arrays.asList(args).subList(1, args.length));
            case "down" -> DownCommand.down();
            case "dlq" -> DlqCommand.run(args, System.out);
            case "help", "--help", "-h" -> {
                usage(System.out);
                yield 0;
            }
            default -> {
                System.err.println("unknown command: " + args[0]);
                usage(System.err);
                yield 2;
            }
        }));
    }

    /** A command to run, as the launcher sees it. */
    public interface Command {
        int run() throws Exception;
    }

    /** Runs a command: 2 and the reason for bad usage, 1 and the reason for a failure. */
    public static int exitCode(Command command) {
        try {
            return command.run();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("FAILED: " + e.getMessage());
            return 1;
        }
    }

    static void usage(PrintStream out) {
        out.print("usage: ./pipeline <command>\n"
                + "  demo   ingest MNIST, preprocess, train, evaluate, gate on a fresh embedded stack; prints the report\n"
                + "  train  the same, for choosing what to train; options (defaults in brackets):\n"
                + TrainOptions.USAGE.indent(9)
                + "  up     start Kafka (9092), S3 (9000) and the services (8081-8084), leave them running;\n"
                + "         authenticated Kafka (SCRAM, ACLs) and a key per service on S3 unless --insecure\n"
                + "  down   stop what 'up' started\n"
                + DlqCommand.USAGE.indent(2)
                + "  bench  <scenario> [train options]: measure, write bench/results/<scenario>.json (./pipeline bench --list)\n");
    }
}
