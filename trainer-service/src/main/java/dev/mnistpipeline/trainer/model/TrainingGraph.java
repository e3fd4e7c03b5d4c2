package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole training graph around an architecture: input standardization with the prepared dataset's statistics,
 * loss, optimizer, accuracy, and the serving signature ({@code input} → {@code probabilities}) that the SavedModel
 * exports, so a served model takes plain [0,1] pixels.
 */
public final class TrainingGraph {
    private static final int PIXELS = 28 * 28;
    public static final String SIGNATURE_KEY = "serving_default";
    public static final String INPUT = "input";
    public static final String OUTPUT = "probabilities";

    /** Dropout keep probability while training, unless {@link #keepProbability} is fed. */
    public static final float DROPOUT_KEEP = 0.6f;

    public final Placeholder<TFloat32> images;
    public final Placeholder<TInt32> labels;
    public final Operand<TFloat32> keepProbability;
    /** Fed every step from the schedule; defaults to the request's rate. */
    public final PlaceholderWithDefault<TFloat32> learningRate;
    /** Inference-path class probabilities (moving-average batch norm, no dropout). */
    public final Operand<TFloat32> probabilities;
    /** Training-path loss of the batch, without weight decay. */
    public final Operand<TFloat32> loss;
    /** Training-path accuracy of the batch, fetched with {@link #trainStep}. */
    public final Operand<TFloat32> trainAccuracy;
    /** Inference-path accuracy: validation and test scores. */
    public final Operand<TFloat32> accuracy;
    public final Op trainStep;

    /** Names of the model's variables (features and head), without optimizer state. */
    public final List<String> modelVariables;

    public TrainingGraph(Graph graph, Architecture architecture, Hyperparameters hp, double pixelMean, double pixelStd) {
        this(graph, architecture, hp, pixelMean, pixelStd, 10);
    }

    /**
     * @param classes size of the class head; with {@code freeze=features} only the head's variables are trained and
     *                the feature layers' batch-norm statistics stay as loaded
     */
    public TrainingGraph(Graph graph, Architecture architecture, Hyperparameters hp, double pixelMean, double pixelStd,
                         int classes) {
        Ops tf = Ops.create(graph);
        images = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
        labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        Operand<TFloat32> standardized = standardize(tf, images, pixelMean, pixelStd);
        boolean frozen = hp.freeze() == Hyperparameters.Freeze.FEATURES;

        // The architecture twice over the same variables: a training path and an inference path.
        Layers layers = Layers.training(tf, hp.seed(), hp.activation(),
                frozen ? Layers.Mode.TRAIN_FROZEN_STATISTICS : Layers.Mode.TRAIN, DROPOUT_KEEP);
        keepProbability = layers.keepProbability();
        learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(hp.learningRate().floatValue()), Shape.scalar());
        Operand<TFloat32> trainLogits = layers.head(architecture.features(layers, standardized), architecture.featureSize(), classes);
        modelVariables = List.copyOf(layers.variableNames());
        Layers inference = layers.inferenceTwin();
        Operand<TFloat32> logits = inference.head(architecture.features(inference, standardized), architecture.featureSize(), classes);
        probabilities = tf.withName(OUTPUT).nn.softmax(logits);

        // One-hot labels: TF's C++ gradient registry has no gradient for the sparse cross-entropy op. With label
        // smoothing e the targets are 1 - e + e/K and e/K: the model is not pushed to ever larger logits.
        float spread = hp.labelSmoothing().floatValue() / classes;
        Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(classes), tf.constant(1f - hp.labelSmoothing().floatValue() + spread),
                tf.constant(spread));
        Operand<TFloat32> perExample = switch (hp.loss()) {
            case CROSS_ENTROPY -> tf.nn.softmaxCrossEntropyWithLogits(trainLogits, oneHot).loss();
            case MSE -> tf.math.mean(tf.math.square(tf.math.sub(tf.nn.softmax(trainLogits), oneHot)), tf.constant(1));
        };
        loss = tf.withName("loss").math.mean(perExample, tf.constant(0));
        trainAccuracy = accuracy(tf, trainLogits, labels);
        accuracy = tf.withName("accuracy").identity(accuracy(tf, logits, labels));

        // Weight decay as an L2 penalty on weights (biases and normalisation parameters are exempt); AdamW decays the
        // same weights in its update instead, where Adam's per-weight scaling does not shrink the decay.
        boolean decoupled = hp.optimizer() == Hyperparameters.Optimizer.ADAMW;
        Operand<TFloat32> objective = loss;
        if (hp.weightDecay() > 0 && !decoupled) {
            Operand<TFloat32> penalty = tf.constant(0f);
            for (Operand<TFloat32> w : layers.decayedWeights()) {
                penalty = tf.math.add(penalty, tf.nn.l2Loss(w));
            }
            objective = tf.math.add(loss, tf.math.mul(tf.constant(hp.weightDecay().floatValue()), penalty));
        }
        List<Op> step = new ArrayList<>(frozen ? List.of() : layers.statisticUpdates());
        ScheduledOptimizer optimizer = new ScheduledOptimizer(graph, hp.optimizer(), learningRate,
                decoupled ? hp.weightDecay() : 0, layers.decayedVariables());
        // Moving averages are set by their own updates, not trained; frozen runs train the head only.
        List<Variable<TFloat32>> trained = layers.variables().stream()
                .filter(v -> !v.op().name().contains(Layers.STATISTIC))
                .filter(v -> !frozen || v.op().name().startsWith(Layers.HEAD_PREFIX))
                .toList();
        var gradients = optimizer.gradients(objective, trained);
        step.add(applyGradients(optimizer, gradients));
        trainStep = tf.withControlDependencies(step).withName("train_step").noOp();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Op applyGradients(ScheduledOptimizer optimizer, List<? extends Optimizer.GradAndVar<?>> gradients) {
        return optimizer.applyGradients((List) gradients, "train"); // the framework's bound is stricter than its own result type
    }

    private static Operand<TFloat32> accuracy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
        Operand<TFloat32> correct = tf.dtypes.cast(tf.math.equal(tf.math.argMax(logits, tf.constant(1), TInt32.class), labels), TFloat32.class);
        return tf.math.mean(correct, tf.constant(0));
    }

    /** Standardisation with the prepared dataset's statistics, inside the graph: served models take [0,1] pixels. */
    static Operand<TFloat32> standardize(Ops tf, Operand<TFloat32> images, double pixelMean, double pixelStd) {
        return tf.math.div(tf.math.sub(images, tf.constant((float) pixelMean)), tf.constant((float) Math.max(pixelStd, 1e-6)));
    }

    /** One mini-batch: images [size*784] in [0,1] and labels [size]; the arrays may be longer than {@code size}. */
    public record Batch(float[] images, int[] labels, int size) {
        public static Batch ofCapacity(int capacity) {
            return new Batch(new float[capacity * PIXELS], new int[capacity], capacity);
        }

        public Batch withSize(int n) {
            return n == size ? this : new Batch(images, labels, n);
        }
    }

    /** Loss and accuracy of one optimizer step, on its own batch (training path). */
    public record StepResult(float loss, float accuracy) {
    }

    /** One optimizer step on {@code batch} at {@code learningRate}. */
    public StepResult step(Session session, Batch batch, double learningRate) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch.size(), 28, 28, 1), DataBuffers.of(batch.images(), true, false).narrow(batch.size() * (long) PIXELS));
             TInt32 y = TInt32.tensorOf(Shape.of(batch.size()), DataBuffers.of(batch.labels(), true, false).narrow(batch.size()));
             TFloat32 lr = TFloat32.scalarOf((float) learningRate);
             Result r = session.runner().feed(images, x).feed(labels, y).feed(this.learningRate, lr)
                     .addTarget(trainStep).fetch(loss).fetch(trainAccuracy).run()) {
            return new StepResult(((TFloat32) r.get(0)).getFloat(), ((TFloat32) r.get(1)).getFloat());
        }
    }

    /** Inference-path accuracy over {@code count} examples, in batches of {@code batchSize}. */
    public double accuracy(Session session, float[] pixels, byte[] labelBytes, int count, int batchSize) {
        double correct = 0;
        Batch batch = Batch.ofCapacity(batchSize);
        for (int from = 0; from < count; from += batchSize) {
            int size = Math.min(batchSize, count - from);
            System.arraycopy(pixels, from * PIXELS, batch.images(), 0, size * PIXELS);
            for (int i = 0; i < size; i++) {
                batch.labels()[i] = labelBytes[from + i];
            }
            try (TFloat32 x = TFloat32.tensorOf(Shape.of(size, 28, 28, 1), DataBuffers.of(batch.images(), true, false).narrow(size * (long) PIXELS));
                 TInt32 y = TInt32.tensorOf(Shape.of(size), DataBuffers.of(batch.labels(), true, false).narrow(size));
                 Result r = session.runner().feed(images, x).feed(labels, y).fetch(accuracy).run()) {
                correct += ((TFloat32) r.get(0)).getFloat() * size;
            }
        }
        return count == 0 ? 0 : correct / count;
    }
}
