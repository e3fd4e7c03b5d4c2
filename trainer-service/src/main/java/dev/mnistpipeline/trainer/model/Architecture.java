package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.Hyperparameters.Activation;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

import java.util.EnumSet;
import java.util.Set;

/**
 * A classifier architecture: images in, a feature vector out; {@link TrainingGraph} puts the class head on top,
 * which is what transfer learning replaces or retrains. One class per architecture; its graph fits a screen.
 */
public interface Architecture {
    /** The name used in training requests ({@code hyperparameters.architecture}). */
    String name();

    /**
     * @param images standardized images, float32 [batch, 28, 28, 1]
     * @return features, float32 [batch, {@link #featureSize()}]
     */
    Operand<TFloat32> features(Layers layers, Operand<TFloat32> images);

    /** Whether {@code secondConvFilters} shapes it (the {@code cnn}); a request setting it for another is refused. */
    default boolean hasSecondConvolutionWidth() {
        return false;
    }

    /** This architecture shaped by a run's hyperparameters (the {@code cnn}'s width); most have nothing to shape. */
    default Architecture configuredFor(Hyperparameters hp) {
        return this;
    }

    /** Width of the feature vector the class head reads. */
    long featureSize();

    /** Activations this architecture can honour; a request for another is rejected, never ignored. */
    default Set<Activation> activations() {
        return EnumSet.allOf(Activation.class);
    }

    /** Whether it has convolutional layers (variables named {@link Layers#CONVOLUTION_PREFIX}*), which {@code transfer: convolutions} takes. */
    default boolean convolutional() {
        return false;
    }

    /** The activation used when a request names none. */
    default Activation defaultActivation() {
        return Activation.RELU;
    }
}
