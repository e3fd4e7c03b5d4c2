package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.client.ClientLogging;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code ./pipeline <command>}: the embedded stack ({@code demo}, {@code up}, {@code down}) and the daily work on a
 * running stack or cluster ({@code ingest}, {@code publish}, {@code train}, {@code sweep}, {@code watch}, {@code predict}, {@code models},
 * {@code promote}, {@code rollback}, {@code datasets}, {@code dlq}). One class per subcommand; benchmarks live in
 * the {@code pipeline-bench} module ({@code ./pipeline bench}).
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, version = "mnist-pipeline 0.1.0",
        description = "MNIST model development: an embedded stack, and the daily loop against a running one.",
        subcommands = {DemoCommand.class, UpCommand.class, DownCommand.class, IngestCommand.class, PublishCommand.class, TrainCommand.class,
                WatchCommand.class, SweepCommand.class, PredictCommand.class, ModelsCommand.class, PromoteCommand.class, RollbackCommand.class, AliasCommand.class, RolloutCommand.class, MonitorCommand.class,
                DatasetsCommand.class, DlqCommand.class, RunsCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Commands after 'down' talk to the stack ./pipeline up started, to --context NAME",
                "(.pipeline/contexts/NAME.env), or to the environment's settings; each takes --json.",
                "Benchmarks: ./pipeline bench <scenario> [train options] (./pipeline bench --list)."})
public final class PipelineCli {

    public static void main(String[] args) {
        ClientLogging.infoAndAbove();
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: 2 and the reason for bad usage, 1 and the reason for a failure. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PipelineCli()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.addSubcommand("completion", new AutoComplete.GenerateCompletion());
        cli.getSubcommands().get("completion").getCommandSpec().usageMessage()
                .description("Prints a bash/zsh completion script: source <(./pipeline completion)");
        cli.setExecutionExceptionHandler((e, command, parsed) -> report(e, command.getErr()));
        return cli;
    }

    /** A command to run outside picocli (the benchmark launcher), with the same exit codes. */
    public interface Command {
        int run() throws Exception;
    }

    public static int exitCode(Command command) {
        try {
            return command.run();
        } catch (Exception e) {
            return report(e, new PrintWriter(System.err, true));
        }
    }

    /** 2 and the reason for bad usage (IllegalArgumentException), 1 and the reason for any other failure. */
    private static int report(Exception e, PrintWriter err) {
        if (e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        err.println("FAILED: " + e.getMessage());
        return 1;
    }
}
