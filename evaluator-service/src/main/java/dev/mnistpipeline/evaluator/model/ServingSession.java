package dev.mnistpipeline.evaluator.model;

import ai.djl.repository.zoo.Criteria;
import dev.mnistpipeline.common.events.Hyperparameters.Precision;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

import java.util.Base64;

/**
 * The TensorFlow session options of every model the evaluator loads (evaluation and serving), handed to DJL as its
 * {@code ConfigProto} option. Ops run on the calling thread (a negative inter-op count): a served graph is a chain
 * of ops, and TensorFlow's inter-op pool only adds hand-offs. Intra-op threads come from
 * {@code pipeline.evaluator.intra-op-threads} (0: every core). Measured on 2 cores with the default CNN, model call
 * alone: TensorFlow's defaults single image p50 0.34 / p99 2.4 ms and 10k images 0.45 s; one inter-op thread 0.31 /
 * 0.42 ms and 0.39 s; the caller's thread with one intra-op thread 0.26 / 0.38 ms and 0.37 s. {@code bfloat16} adds
 * oneDNN's auto-mixed-precision rewrite: 10k images in about 0.25 s, but single images slower (0.5 ms) and 5 in
 * 10,000 predictions different, so it is opt-in.
 */
@ApplicationScoped
public class ServingSession {
    private final String configProto;

    public ServingSession(@ConfigProperty(name = "pipeline.evaluator.precision", defaultValue = "float32") Precision precision,
                          @ConfigProperty(name = "pipeline.evaluator.intra-op-threads", defaultValue = "0") int intraOpThreads) {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("pipeline.evaluator.intra-op-threads must be 0 (TensorFlow's choice) or more, got " + intraOpThreads);
        }
        ConfigProto.Builder config = ConfigProto.newBuilder().setInterOpParallelismThreads(-1)
                .setIntraOpParallelismThreads(intraOpThreads);
        if (precision == Precision.BFLOAT16) {
            config.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
                    RewriterConfig.newBuilder().setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON)));
        }
        this.configProto = Base64.getEncoder().encodeToString(config.build().toByteArray());
    }

    <I, O> Criteria.Builder<I, O> configure(Criteria.Builder<I, O> criteria) {
        return criteria.optOption("ConfigProto", configProto);
    }
}
