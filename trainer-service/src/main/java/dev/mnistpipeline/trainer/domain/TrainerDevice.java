package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.tensorflow.proto.ConfigProto;
import dev.mnistpipeline.common.events.Hyperparameters.Precision;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * Where training runs: {@code pipeline.trainer.device=cpu} (default) or {@code gpu}. {@code gpu} needs the CUDA
 * natives ({@code tensorflow-core-native:linux-x86_64-gpu}, the {@code trainer-service-gpu} image); a trainer
 * configured for a GPU without them refuses to start rather than silently training on the CPU. On {@code cpu} a
 * GPU build hides its GPUs from TensorFlow.
 */
@ApplicationScoped
public class TrainerDevice {
    private static final Logger LOG = Logger.getLogger(TrainerDevice.class);

    private final String device;

    public TrainerDevice(@ConfigProperty(name = "pipeline.trainer.device", defaultValue = "cpu") String device) {
        this.device = device;
    }

    void check(@Observes StartupEvent event) {
        String build = TensorFlowRuntime.nativeBuild();
        if (!device.equals("cpu") && !device.equals("gpu")) {
            throw new IllegalStateException("pipeline.trainer.device must be cpu or gpu, got '" + device + "'");
        }
        if (device.equals("gpu") && (build == null || !build.endsWith("-gpu"))) {
            throw new IllegalStateException("pipeline.trainer.device=gpu, but this trainer carries the " + build
                    + " TensorFlow natives; build it with -Dtf.native.classifier=linux-x86_64-gpu"
                    + " (deploy/images/Dockerfile.trainer-gpu) or set pipeline.trainer.device=cpu");
        }
        LOG.infof("Training on %s (TensorFlow natives: %s)", device.toUpperCase(), build);
        TensorFlowRuntime.loadInBackground();
    }

    public String device() {
        return device;
    }

    /** Session options for float32: GPU memory grows as needed on {@code gpu}; no GPU visible on {@code cpu}. */
    public ConfigProto sessionConfig() {
        return sessionConfig(Precision.FLOAT32);
    }

    /**
     * Session options; {@code bfloat16} turns on oneDNN's auto-mixed-precision rewrite, which TensorFlow skips (with
     * a warning in its log) on a CPU without bfloat16 instructions.
     */
    public ConfigProto sessionConfig(Precision precision) {
        ConfigProto.Builder config = ConfigProto.newBuilder().setAllowSoftPlacement(true);
        if (precision == Precision.BFLOAT16) {
            config.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
                    RewriterConfig.newBuilder().setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON)));
        }
        if (device.equals("gpu")) {
            config.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
        } else {
            config.putDeviceCount("GPU", 0);
        }
        return config.build();
    }
}
