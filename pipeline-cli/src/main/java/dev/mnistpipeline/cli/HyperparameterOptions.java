package dev.mnistpipeline.cli;

import dev.mnistpipeline.common.events.Hyperparameters;
import picocli.CommandLine.Option;

/**
 * The hyperparameter options of {@code demo}, {@code train} and {@code bench}: unset ones keep the trainer's
 * defaults (shown in brackets in the help).
 */
public final class HyperparameterOptions {
    @Option(names = "--architecture", paramLabel = "NAME", description = "cnn|mlp|lenet|lstm|transformer [cnn]")
    String architecture;
    @Option(names = "--epochs", paramLabel = "N", description = "[2]")
    Integer epochs;
    @Option(names = "--batch-size", paramLabel = "N", description = "[128]")
    Integer batchSize;
    @Option(names = "--learning-rate", paramLabel = "X", description = "[0.001]")
    Double learningRate;
    @Option(names = "--optimizer", paramLabel = "NAME", description = "adam|adamw|sgd [adam]")
    Hyperparameters.Optimizer optimizer;
    @Option(names = "--loss", paramLabel = "NAME", description = "cross_entropy|mse [cross_entropy]")
    Hyperparameters.Loss loss;
    @Option(names = "--activation", paramLabel = "NAME", description = "relu|sigmoid|tanh [per architecture]")
    Hyperparameters.Activation activation;
    @Option(names = "--schedule", paramLabel = "NAME", description = "cosine|constant|step|one_cycle [cosine]")
    Hyperparameters.Schedule schedule;
    @Option(names = "--weight-decay", paramLabel = "X", description = "[0]")
    Double weightDecay;
    @Option(names = "--label-smoothing", paramLabel = "X", description = "spread X of each target over all classes [0: off]")
    Double labelSmoothing;
    @Option(names = "--second-conv-filters", paramLabel = "N", description = "cnn only: filters of its second convolution [64]")
    Integer secondConvFilters;
    @Option(names = "--early-stopping", paramLabel = "PATIENCE", description = "epochs without improvement before stopping [0: off]")
    Integer earlyStoppingPatience;
    @Option(names = "--seed", paramLabel = "N", description = "[42]")
    Long seed;
    @Option(names = "--augment", paramLabel = "SPEC", description = "standard|none|rotation=10,shift=2,scale=0.9-1.1[,elastic] [the dataset's policy]")
    String augment;
    @Option(names = "--base-model", paramLabel = "MODEL_ID", description = "fine-tune this model (transfer learning)")
    String baseModel;
    @Option(names = "--freeze", paramLabel = "WHAT", description = "none|features (with --base-model)")
    Hyperparameters.Freeze freeze;
    @Option(names = "--transfer", paramLabel = "WHAT", description = "all|features|convolutions (with --base-model)")
    Hyperparameters.Transfer transfer;
    @Option(names = "--precision", paramLabel = "NAME", description = "float32|bfloat16 (oneDNN mixed precision on CPUs with bfloat16) [float32]")
    Hyperparameters.Precision precision;
    @Option(names = "--accuracy-check-every", paramLabel = "STEPS", description = "score the test split every STEPS steps, outside the training time [0: off]")
    Integer accuracyCheckEverySteps;

    /** Only what was given; the trainer fills in the rest. */
    public Hyperparameters given() {
        return Hyperparameters.builder().architecture(architecture).epochs(epochs).batchSize(batchSize)
                .learningRate(learningRate).optimizer(optimizer).loss(loss).activation(activation).schedule(schedule)
                .weightDecay(weightDecay).labelSmoothing(labelSmoothing).secondConvFilters(secondConvFilters)
                .earlyStoppingPatience(earlyStoppingPatience).seed(seed)
                .augmentation(augment == null ? null : TrainOptions.parseAugmentation(augment))
                .baseModelId(baseModel).freeze(freeze).transfer(transfer).precision(precision)
                .accuracyCheckEverySteps(accuracyCheckEverySteps).build();
    }

    /** Whether any hyperparameter was given (a benchmark's preset applies only when none was). */
    public boolean anyGiven() {
        return architecture != null || epochs != null || batchSize != null || learningRate != null || optimizer != null
                || loss != null || activation != null || schedule != null || weightDecay != null || labelSmoothing != null
                || secondConvFilters != null || earlyStoppingPatience != null || seed != null || augment != null || baseModel != null
                || freeze != null || transfer != null || precision != null || accuracyCheckEverySteps != null;
    }
}
