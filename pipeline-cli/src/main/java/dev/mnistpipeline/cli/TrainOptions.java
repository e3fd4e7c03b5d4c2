package dev.mnistpipeline.cli;

import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.events.Hyperparameters;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import java.util.Arrays;

/**
 * What {@code demo}, {@code train} and {@code bench} take on the command line: hyperparameters, the data source,
 * whether to keep the run's data.
 *
 * @param explicit whether any hyperparameter was given (a benchmark's preset applies only when none was)
 */
public record TrainOptions(Hyperparameters hyperparameters, String source, boolean keep, boolean explicit) {

    /** The options of a run on an embedded stack, as {@code demo} and {@code bench} take them. */
    @Command(name = "run-options")
    static final class Parsed {
        @Mixin
        HyperparameterOptions hyperparameters = new HyperparameterOptions();
        @Option(names = "--source", paramLabel = "mnist|DIR|URL", description = "what to ingest [mnist]")
        String source = "mnist";
        @Option(names = "--keep", description = "keep the run's data and logs")
        boolean keep;

        TrainOptions options() {
            return new TrainOptions(hyperparameters.given().withDefaults(), source, keep, hyperparameters.anyGiven());
        }
    }

    /** {@code args[from..]} as options; bad ones throw IllegalArgumentException with picocli's reason. */
    public static TrainOptions parse(String[] args, int from) {
        Parsed parsed = new Parsed();
        try {
            new CommandLine(parsed).setCaseInsensitiveEnumValuesAllowed(true)
                    .parseArgs(Arrays.copyOfRange(args, from, args.length));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return parsed.options();
    }

    /** The same options training {@code preset} instead, unless hyperparameters were given explicitly. */
    public TrainOptions withPreset(Hyperparameters preset) {
        return preset == null || explicit ? this : new TrainOptions(preset.withDefaults(), source, keep, false);
    }

    /** {@code standard}, {@code none}, or {@code rotation=10,shift=2,scale=0.9-1.1,elastic}. */
    static Augmentation parseAugmentation(String spec) {
        if (spec.equals("standard")) {
            return Augmentation.STANDARD;
        }
        if (spec.equals("none")) {
            return Augmentation.NONE;
        }
        Double rotation = null, shift = null, scaleMin = null, scaleMax = null;
        boolean elastic = false;
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            switch (kv[0]) {
                case "rotation" -> rotation = Double.parseDouble(kv[1]);
                case "shift" -> shift = Double.parseDouble(kv[1]);
                case "scale" -> {
                    String[] range = kv[1].split("-", 2);
                    scaleMin = Double.parseDouble(range[0]);
                    scaleMax = Double.parseDouble(range.length > 1 ? range[1] : range[0]);
                }
                case "elastic" -> elastic = true;
                default -> throw new IllegalArgumentException("unknown augmentation part '" + part + "' (rotation=D,shift=P,scale=A-B,elastic)");
            }
        }
        return new Augmentation(rotation, shift, scaleMin, scaleMax, elastic);
    }
}
