package dev.mnistpipeline.evaluator.model;

import ai.djl.repository.zoo.Criteria;
import dev.mnistpipeline.common.events.Hyperparameters.Precision;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

import java.util.Base64;

/**
 * The TensorFlow session options of every model the evaluator loads (evaluation and serving), handed to DJL as its
 * {@code ConfigProto} option. One inter-op thread: a served graph is a chain of ops, and a second inter-op thread
 * only adds hand-offs; measured on 2 cores, single-image p99 fell from about 2.5 ms to 0.5 ms and 10k-image
 * scoring from 0.45 s to 0.38 s. Intra-op threads stay at the default (all cores) for the convolutions.
 * {@code bfloat16} adds oneDNN's auto-mixed-precision rewrite: 10k images in about 0.26 s instead of 0.38 s,
 * but single images slower (0.5 against 0.3 ms) and 5 in 10,000 predictions different, so it is opt-in.
 */
final class ServingSession {
    private ServingSession() {
    }

    static <I, O> Criteria.Builder<I, O> configure(Criteria.Builder<I, O> criteria, Precision precision) {
        ConfigProto.Builder config = ConfigProto.newBuilder().setInterOpParallelismThreads(1);
        if (precision == Precision.BFLOAT16) {
            config.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
                    RewriterConfig.newBuilder().setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON)));
        }
        return criteria.optOption("ConfigProto", Base64.getEncoder().encodeToString(config.build().toByteArray()));
    }
}
