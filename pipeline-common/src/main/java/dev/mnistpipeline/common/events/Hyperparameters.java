package dev.mnistpipeline.common.events;

/**
 * Everything that shapes a training run, in one record. Missing values take the defaults of {@link #withDefaults()}.
 *
 * @param architecture model family, e.g. {@code cnn}
 * @param optimizer    {@code adam} or {@code sgd}
 * @param loss         {@code cross_entropy} or {@code mse}
 */
public record Hyperparameters(String architecture, Integer epochs, Integer batchSize, Double learningRate,
                              String optimizer, String loss, Long seed) {

    public static final Hyperparameters DEFAULTS = new Hyperparameters("cnn", 2, 128, 1e-3, "adam", "cross_entropy", 42L);

    /** Fills unset fields from {@link #DEFAULTS}. */
    public Hyperparameters withDefaults() {
        return new Hyperparameters(
                architecture != null ? architecture : DEFAULTS.architecture,
                epochs != null ? epochs : DEFAULTS.epochs,
                batchSize != null ? batchSize : DEFAULTS.batchSize,
                learningRate != null ? learningRate : DEFAULTS.learningRate,
                optimizer != null ? optimizer : DEFAULTS.optimizer,
                loss != null ? loss : DEFAULTS.loss,
                seed != null ? seed : DEFAULTS.seed);
    }
}
