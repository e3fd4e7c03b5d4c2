package dev.mnistpipeline.cli.e2e;

import dev.mnistpipeline.cli.stack.Infrastructure;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import org.junit.jupiter.api.DisplayName;

import java.nio.file.Path;

/** The end-to-end scenario on the embedded default: Kafka (KRaft) and S3Proxy as child processes. */
@DisplayName("end to end on local Kafka and S3 processes")
class PipelineEndToEndTest extends EndToEndScenario {
    @Override
    Infrastructure infrastructure(Path workDir) throws Exception {
        return LocalInfrastructure.onFreePorts(new Layout(Path.of("..")), workDir);
    }
}
