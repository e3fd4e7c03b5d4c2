package dev.mnistpipeline.common.events;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.mnistpipeline.common.data.Augmentation;

import java.util.Locale;

/**
 * Everything that shapes a training run, in one record. As requested, a field may be null ("the default"); the
 * trainer's {@code TrainingRules} fills the defaults of {@link #DEFAULTS} and checks the combination, so the
 * hyperparameters a run receives are complete and valid. Build one with {@link #builder()}; change one with
 * {@link #toBuilder()}; lay a partial set over another with {@link #overriding}.
 *
 * @param architecture          {@code cnn} (default), {@code mlp}, {@code lenet}, {@code lstm} or {@code transformer}
 *                              (an open set: the trainer's architecture registry)
 * @param optimizer             Adam, AdamW (Adam with weight decay decoupled from the gradient), or SGD with momentum 0.9
 * @param activation            null means the architecture's own default
 * @param schedule              learning-rate schedule: cosine (default: to 0 over the run), constant, or step (x0.1 at
 *                              50% and again at 75% of the steps)
 * @param weightDecay           on weights (not biases or normalisation parameters): an L2 penalty in the loss, or with
 *                              AdamW a decay of each weight by learning rate x this per step; 0 turns it off
 * @param earlyStoppingPatience stop after this many epochs without a better validation accuracy and keep the best
 *                              epoch's weights; 0 turns it off
 * @param augmentation          random rotation/shift/scale/elastic applied to each training batch as it is drawn;
 *                              null means the prepared dataset's policy
 * @param baseModelId           transfer learning: start from this model version's weights (same architecture)
 * @param freeze                with a base model: train everything, or only the class head
 * @param transfer              with a base model, which of its layers to start from
 * @param precision             {@code float32} (default), or {@code bfloat16}: TensorFlow's oneDNN auto-mixed-precision
 *                              rewrite runs convolutions and matrix products in bfloat16 on CPUs that have it (AVX-512
 *                              BF16, AMX), with float32 weights; faster steps, slightly noisier ones
 * @param accuracyCheckEverySteps reporting only: score the test split on the current weights every this many steps
 *                              (and at the end), with the time it takes left out of the training time; null or 0 is
 *                              off. Gives time-to-accuracy curves ({@code ModelManifest.accuracyChecks})
 * @param labelSmoothing        the training targets put this much of their weight evenly on all classes (cross-entropy
 *                              and MSE alike): 1 - e + e/10 on the label, e/10 elsewhere; 0 (default) turns it off
 * @param secondConvFilters     {@code cnn} only: the filters of its second (3x3) convolution, {@value #SECOND_CONV_FILTERS}
 *                              when null; a wider layer has more features to tell similar digits apart, at the cost of
 *                              multiply-adds roughly in proportion
 */
public record Hyperparameters(String architecture, Integer epochs, Integer batchSize, Double learningRate,
                              Optimizer optimizer, Loss loss, Long seed, Activation activation, Schedule schedule,
                              Double weightDecay, Integer earlyStoppingPatience, Augmentation augmentation,
                              String baseModelId, Freeze freeze, Transfer transfer, Precision precision,
                              Integer accuracyCheckEverySteps, Double labelSmoothing, Integer secondConvFilters) {

    /** The {@code cnn}'s second convolution when {@code secondConvFilters} is not set. */
    public static final int SECOND_CONV_FILTERS = 64;

    /** The filters of the {@code cnn}'s second convolution: as set, or {@value #SECOND_CONV_FILTERS}. */
    public int secondConvFiltersOrDefault() {
        return secondConvFilters != null ? secondConvFilters : SECOND_CONV_FILTERS;
    }

    public enum Optimizer { ADAM, ADAMW, SGD;
        @JsonValue @Override public String toString() { return lower(this); } }

    /** Cross-entropy on the logits, or mean squared error on the softmax probabilities. */
    public enum Loss { CROSS_ENTROPY, MSE;
        @JsonValue @Override public String toString() { return lower(this); } }

    public enum Activation { RELU, SIGMOID, TANH;
        @JsonValue @Override public String toString() { return lower(this); } }

    /**
     * {@code one_cycle}: a linear warm-up from 1/25 of the rate over the first {@link #WARM_UP_FRACTION} of the
     * steps, then cosine to 0.
     */
    public enum Schedule { COSINE, CONSTANT, STEP, ONE_CYCLE;
        @JsonValue @Override public String toString() { return lower(this); } }

    /** The share of a run's steps that a one-cycle schedule spends warming up. */
    public static final double WARM_UP_FRACTION = 0.15;

    public enum Precision { FLOAT32, BFLOAT16;
        @JsonValue @Override public String toString() { return lower(this); } }

    /** {@code none}: fine-tune everything; {@code features}: train only the class head, feature layers stay fixed. */
    public enum Freeze { NONE, FEATURES;
        @JsonValue @Override public String toString() { return lower(this); } }

    /**
     * {@code all}: every layer (the head too when the class count matches); {@code features}: all but the class
     * head; {@code convolutions}: only the convolutional layers, dense layers and head start fresh.
     */
    public enum Transfer { ALL, FEATURES, CONVOLUTIONS;
        @JsonValue @Override public String toString() { return lower(this); } }

    public static final Hyperparameters DEFAULTS = builder().architecture("cnn").epochs(2).batchSize(128)
            .learningRate(1e-3).optimizer(Optimizer.ADAM).loss(Loss.CROSS_ENTROPY).seed(42L).schedule(Schedule.COSINE)
            .weightDecay(0.0).earlyStoppingPatience(0).freeze(Freeze.NONE).transfer(Transfer.ALL)
            .precision(Precision.FLOAT32).accuracyCheckEverySteps(0).labelSmoothing(0.0).build();

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().architecture(architecture).epochs(epochs).batchSize(batchSize).learningRate(learningRate)
                .optimizer(optimizer).loss(loss).seed(seed).activation(activation).schedule(schedule)
                .weightDecay(weightDecay).earlyStoppingPatience(earlyStoppingPatience).augmentation(augmentation)
                .baseModelId(baseModelId).freeze(freeze).transfer(transfer).precision(precision)
                .accuracyCheckEverySteps(accuracyCheckEverySteps).labelSmoothing(labelSmoothing)
                .secondConvFilters(secondConvFilters);
    }

    /** These settings where set, {@code base}'s elsewhere: every field, so nothing set is ever dropped. */
    public Hyperparameters overriding(Hyperparameters base) {
        return new Hyperparameters(
                or(architecture, base.architecture), or(epochs, base.epochs), or(batchSize, base.batchSize),
                or(learningRate, base.learningRate), or(optimizer, base.optimizer), or(loss, base.loss),
                or(seed, base.seed), or(activation, base.activation), or(schedule, base.schedule),
                or(weightDecay, base.weightDecay), or(earlyStoppingPatience, base.earlyStoppingPatience),
                or(augmentation, base.augmentation), or(baseModelId, base.baseModelId), or(freeze, base.freeze),
                or(transfer, base.transfer), or(precision, base.precision),
                or(accuracyCheckEverySteps, base.accuracyCheckEverySteps), or(labelSmoothing, base.labelSmoothing),
                or(secondConvFilters, base.secondConvFilters));
    }

    /** Unset fields from {@link #DEFAULTS}; {@code activation} stays null for the architecture to choose. */
    public Hyperparameters withDefaults() {
        Hyperparameters filled = overriding(DEFAULTS);
        return augmentation == null ? filled : filled.toBuilder().augmentation(augmentation.withDefaults()).build();
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Named setters for every field; unset ones stay null. */
    public static final class Builder {
        private String architecture;
        private Integer epochs;
        private Integer batchSize;
        private Double learningRate;
        private Optimizer optimizer;
        private Loss loss;
        private Long seed;
        private Activation activation;
        private Schedule schedule;
        private Double weightDecay;
        private Integer earlyStoppingPatience;
        private Augmentation augmentation;
        private String baseModelId;
        private Freeze freeze;
        private Transfer transfer;
        private Precision precision;
        private Integer accuracyCheckEverySteps;
        private Double labelSmoothing;
        private Integer secondConvFilters;

        private Builder() {
        }

        public Builder architecture(String v) { architecture = v; return this; }
        public Builder epochs(Integer v) { epochs = v; return this; }
        public Builder batchSize(Integer v) { batchSize = v; return this; }
        public Builder learningRate(Double v) { learningRate = v; return this; }
        public Builder optimizer(Optimizer v) { optimizer = v; return this; }
        public Builder loss(Loss v) { loss = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder activation(Activation v) { activation = v; return this; }
        public Builder schedule(Schedule v) { schedule = v; return this; }
        public Builder weightDecay(Double v) { weightDecay = v; return this; }
        public Builder earlyStoppingPatience(Integer v) { earlyStoppingPatience = v; return this; }
        public Builder augmentation(Augmentation v) { augmentation = v; return this; }
        public Builder baseModelId(String v) { baseModelId = v; return this; }
        public Builder freeze(Freeze v) { freeze = v; return this; }
        public Builder transfer(Transfer v) { transfer = v; return this; }
        public Builder precision(Precision v) { precision = v; return this; }
        public Builder accuracyCheckEverySteps(Integer v) { accuracyCheckEverySteps = v; return this; }
        public Builder labelSmoothing(Double v) { labelSmoothing = v; return this; }
        public Builder secondConvFilters(Integer v) { secondConvFilters = v; return this; }

        public Hyperparameters build() {
            return new Hyperparameters(architecture, epochs, batchSize, learningRate, optimizer, loss, seed, activation,
                    schedule, weightDecay, earlyStoppingPatience, augmentation, baseModelId, freeze, transfer, precision,
                    accuracyCheckEverySteps, labelSmoothing, secondConvFilters);
        }
    }
}
