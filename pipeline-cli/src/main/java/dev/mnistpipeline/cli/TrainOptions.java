package dev.mnistpipeline.cli;

import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.events.Hyperparameters;

import java.util.Arrays;
import java.util.Locale;

/**
 * What {@code demo}, {@code train} and {@code bench} take on the command line: hyperparameters, the data source,
 * whether to keep the run's data.
 *
 * @param explicit whether any hyperparameter was given (a benchmark's preset applies only when none was)
 */
public record TrainOptions(Hyperparameters hyperparameters, String source, boolean keep, boolean explicit) {

    public static final String USAGE = """
                   --architecture cnn|mlp|lenet|lstm|transformer (cnn)  --epochs N (2)  --batch-size N (128)
                   --learning-rate X (0.001)  --optimizer adam|sgd (adam)  --loss cross_entropy|mse
                   --activation relu|sigmoid|tanh (per architecture)  --schedule cosine|constant|step
                   --weight-decay X (0)  --early-stopping PATIENCE (0: off)  --seed N (42)
                   --augment standard|none|rotation=10,shift=2,scale=0.9-1.1[,elastic] (the dataset's policy)
                   --base-model MODEL_ID  --freeze none|features  --transfer all|features|convolutions (transfer learning)
                   --source mnist|DIR|URL (mnist)  --keep (keep data and logs)""";

    public static TrainOptions parse(String[] args, int from) {
        Hyperparameters.Builder hp = Hyperparameters.builder();
        String source = "mnist";
        boolean keep = false, explicit = false;
        for (int i = from; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--keep")) {
                keep = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String v = args[++i];
            explicit |= !option.equals("--source");
            switch (option) {
                case "--architecture" -> hp.architecture(v);
                case "--activation" -> hp.activation(choice(Hyperparameters.Activation.class, option, v));
                case "--schedule" -> hp.schedule(choice(Hyperparameters.Schedule.class, option, v));
                case "--weight-decay" -> hp.weightDecay(Double.parseDouble(v));
                case "--early-stopping" -> hp.earlyStoppingPatience(Integer.parseInt(v));
                case "--augment" -> hp.augmentation(parseAugmentation(v));
                case "--base-model" -> hp.baseModelId(v);
                case "--freeze" -> hp.freeze(choice(Hyperparameters.Freeze.class, option, v));
                case "--transfer" -> hp.transfer(choice(Hyperparameters.Transfer.class, option, v));
                case "--epochs" -> hp.epochs(Integer.parseInt(v));
                case "--batch-size" -> hp.batchSize(Integer.parseInt(v));
                case "--learning-rate" -> hp.learningRate(Double.parseDouble(v));
                case "--optimizer" -> hp.optimizer(choice(Hyperparameters.Optimizer.class, option, v));
                case "--loss" -> hp.loss(choice(Hyperparameters.Loss.class, option, v));
                case "--seed" -> hp.seed(Long.parseLong(v));
                case "--source" -> source = v;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new TrainOptions(hp.build().withDefaults(), source, keep, explicit);
    }

    /** The same options training {@code preset} instead, unless hyperparameters were given explicitly. */
    public TrainOptions withPreset(Hyperparameters preset) {
        return preset == null || explicit ? this : new TrainOptions(preset.withDefaults(), source, keep, false);
    }

    static <E extends Enum<E>> E choice(Class<E> type, String option, String value) {
        return Arrays.stream(type.getEnumConstants()).filter(e -> e.toString().equals(value.toLowerCase(Locale.ROOT)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException(option + " '" + value + "' is not one of "
                        + Arrays.toString(type.getEnumConstants())));
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
