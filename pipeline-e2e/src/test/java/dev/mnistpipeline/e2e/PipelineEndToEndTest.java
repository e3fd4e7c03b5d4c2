package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import org.junit.jupiter.api.DisplayName;

import java.nio.file.Path;

/**
 * The end-to-end scenario on the embedded default as {@code ./pipeline up} runs it: Kafka (KRaft) with SASL/SCRAM and
 * ACLs, and S3Proxy with a key per service, as child processes. Every service works with only its own grants.
 */
@DisplayName("end to end on local Kafka and S3 processes, each service with its own credentials")
class PipelineEndToEndTest extends EndToEndScenario {
    @Override
    Infrastructure infrastructure(Path workDir) throws Exception {
        return LocalInfrastructure.secure(new Layout(Path.of("..")), workDir);
    }
}
