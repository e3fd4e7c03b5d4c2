package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.data.Augmentation;

/**
 * Everything that shapes a training run, in one record. Missing values take the defaults of {@link #withDefaults()}.
 *
 * @param architecture          {@code cnn} (default), {@code mlp}, {@code lenet}, {@code lstm} or {@code transformer}
 * @param optimizer             {@code adam} or {@code sgd} (with momentum 0.9)
 * @param loss                  {@code cross_entropy} or {@code mse}
 * @param activation            {@code relu}, {@code sigmoid} or {@code tanh}; null means the architecture's own default
 * @param schedule              learning-rate schedule: {@code cosine} (default: to 0 over the run), {@code constant} or
 *                              {@code step} (x0.1 at 50% and again at 75% of the epochs)
 * @param weightDecay           L2 penalty on weights (not biases or normalisation parameters); 0 turns it off
 * @param earlyStoppingPatience stop after this many epochs without a better validation accuracy and keep the best
 *                              epoch's weights; 0 turns it off
 * @param augmentation          random rotation/shift/scale/elastic applied to each training batch as it is drawn;
 *                              null means the prepared dataset's policy
 * @param baseModelId           transfer learning: start from this model version's weights (same architecture);
 *                              the class head is re-initialised when the number of classes differs
 * @param freeze                with a base model: {@code none} (fine-tune everything, default) or {@code features}
 *                              (train only the class head; feature layers and their batch-norm statistics stay fixed)
 * @param transfer              with a base model, which of its layers to start from: {@code all} (default; the head
 *                              too when the class count matches), {@code features} (all but the class head) or
 *                              {@code convolutions} (only the convolutional layers; dense layers and head start fresh)
 */
public record Hyperparameters(String architecture, Integer epochs, Integer batchSize, Double learningRate,
                              String optimizer, String loss, Long seed, String activation, String schedule,
                              Double weightDecay, Integer earlyStoppingPatience, Augmentation augmentation,
                              String baseModelId, String freeze, String transfer) {

    public static final Hyperparameters DEFAULTS = new Hyperparameters("cnn", 2, 128, 1e-3, "adam", "cross_entropy",
            42L, null, "cosine", 0.0, 0, null, null, "none", "all");

    /** Every setting but {@code transfer}, which takes its default. */
    public Hyperparameters(String architecture, Integer epochs, Integer batchSize, Double learningRate,
                           String optimizer, String loss, Long seed, String activation, String schedule,
                           Double weightDecay, Integer earlyStoppingPatience, Augmentation augmentation,
                           String baseModelId, String freeze) {
        this(architecture, epochs, batchSize, learningRate, optimizer, loss, seed, activation, schedule, weightDecay,
                earlyStoppingPatience, augmentation, baseModelId, freeze, null);
    }

    /** The original seven settings; the rest take their defaults. */
    public Hyperparameters(String architecture, Integer epochs, Integer batchSize, Double learningRate,
                           String optimizer, String loss, Long seed) {
        this(architecture, epochs, batchSize, learningRate, optimizer, loss, seed, null, null, null, null, null, null, null);
    }

    /** Fills unset fields from {@link #DEFAULTS}; {@code activation} stays null for the architecture to choose. */
    public Hyperparameters withDefaults() {
        return new Hyperparameters(
                architecture != null ? architecture : DEFAULTS.architecture,
                epochs != null ? epochs : DEFAULTS.epochs,
                batchSize != null ? batchSize : DEFAULTS.batchSize,
                learningRate != null ? learningRate : DEFAULTS.learningRate,
                optimizer != null ? optimizer : DEFAULTS.optimizer,
                loss != null ? loss : DEFAULTS.loss,
                seed != null ? seed : DEFAULTS.seed,
                activation,
                schedule != null ? schedule : DEFAULTS.schedule,
                weightDecay != null ? weightDecay : DEFAULTS.weightDecay,
                earlyStoppingPatience != null ? earlyStoppingPatience : DEFAULTS.earlyStoppingPatience,
                augmentation == null ? null : augmentation.withDefaults(),
                baseModelId,
                freeze != null ? freeze : DEFAULTS.freeze,
                transfer != null ? transfer : DEFAULTS.transfer);
    }

    /** The same settings with the activation the architecture resolved. */
    public Hyperparameters withActivation(String resolved) {
        return new Hyperparameters(architecture, epochs, batchSize, learningRate, optimizer, loss, seed, resolved,
                schedule, weightDecay, earlyStoppingPatience, augmentation, baseModelId, freeze, transfer);
    }

    /** The same settings with the augmentation actually applied (the dataset's policy when the request set none). */
    public Hyperparameters withAugmentation(Augmentation applied) {
        return new Hyperparameters(architecture, epochs, batchSize, learningRate, optimizer, loss, seed, activation,
                schedule, weightDecay, earlyStoppingPatience, applied, baseModelId, freeze, transfer);
    }

    /** The same settings starting from a base model (continuous training fine-tunes the champion this way). */
    public Hyperparameters withBaseModel(String base, String freezeLayers) {
        return withBaseModel(base, freezeLayers, transfer);
    }

    /** The same settings starting from some of a base model's layers ({@code transfer}: all, features, convolutions). */
    public Hyperparameters withBaseModel(String base, String freezeLayers, String transferred) {
        return new Hyperparameters(architecture, epochs, batchSize, learningRate, optimizer, loss, seed, activation,
                schedule, weightDecay, earlyStoppingPatience, augmentation, base, freezeLayers, transferred);
    }
}
