package dev.mnistpipeline.bench;

import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.cli.DemoCommand;
import dev.mnistpipeline.stack.client.ClientLogging;
import dev.mnistpipeline.cli.PipelineCli;
import dev.mnistpipeline.cli.TrainOptions;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.json.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./pipeline bench <scenario> [train options]}: runs a scenario, writes {@code bench/results/<scenario>.json}
 * and prints it. {@code --list} lists the scenarios; {@code --needs <scenario>} tells the launcher script what to
 * build first ({@code stack}, {@code nothing} or {@code pytorch}).
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) {
        ClientLogging.infoAndAbove();
        System.exit(PipelineCli.exitCode(() -> run(args)));
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--list") || args[0].equals("--help")) {
            System.out.println("usage: ./pipeline bench <scenario> [train options]; scenarios:");
            Scenarios.ALL.forEach(s -> System.out.printf("  %-20s %s%n", s.name(), s.summary()));
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--needs")) {
            System.out.println(scenario(args.length > 1 ? args[1] : "").needs().name().toLowerCase());
            return 0;
        }
        Scenario scenario = scenario(args[0]);
        Layout layout = Layout.detect();
        if (scenario.needs() != Scenario.Needs.STACK) {
            scenario.options(Arrays.asList(args).subList(1, args.length));
            save(scenario, layout, scenario.measure(layout, null));
            return 0;
        }
        TrainOptions options = TrainOptions.parse(args, 1).withPreset(scenario.preset());
        return DemoCommand.run(options, scenario.serviceEnv(), run -> save(scenario, layout, scenario.measure(layout, run)));
    }

    private static Scenario scenario(String name) {
        return Scenarios.find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown scenario '" + name + "'; one of " + Scenarios.names()));
    }

    private static void save(Scenario scenario, Layout layout, Map<String, Object> figures) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", scenario.name());
        result.putAll(figures);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        Path file = layout.root().resolve("bench/results/" + scenario.name() + ".json");
        Files.createDirectories(file.getParent());
        Files.write(file, Json.writeBytes(result));
        System.out.println("Benchmark written to " + layout.root().relativize(file) + ":");
        System.out.println(new String(Json.writeBytes(result)));
    }
}
