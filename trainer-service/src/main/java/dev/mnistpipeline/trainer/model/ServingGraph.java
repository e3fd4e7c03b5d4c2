package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The graph a model is exported as: the same architecture and variables as its {@link TrainingGraph}, but built
 * for inference only — batch norm from the moving averages without computing batch moments, no dropout, no loss
 * or optimizer. The trainer copies the trained variables into it by name and exports it as the SavedModel.
 */
public final class ServingGraph {
    public final Placeholder<TFloat32> images;
    public final Operand<TFloat32> probabilities;

    public ServingGraph(Graph graph, Architecture architecture, Hyperparameters hp, double pixelMean, double pixelStd,
                        int classes) {
        Ops tf = Ops.create(graph);
        images = tf.withName(TrainingGraph.INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
        Layers layers = Layers.serving(tf, hp.seed(), hp.activation());
        Operand<TFloat32> logits = layers.head(architecture.features(layers, TrainingGraph.standardize(tf, images, pixelMean, pixelStd)),
                architecture.featureSize(), classes);
        probabilities = tf.withName(TrainingGraph.OUTPUT).nn.softmax(logits);
    }

    public Signature signature() {
        return Signature.builder().key(TrainingGraph.SIGNATURE_KEY).input(TrainingGraph.INPUT, images)
                .output(TrainingGraph.OUTPUT, probabilities).build();
    }
}
