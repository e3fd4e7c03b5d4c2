package dev.mnistpipeline.cli.e2e;

import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The end-to-end scenario on the embedded default: Kafka (KRaft) and S3Proxy as child processes. */
class PipelineEndToEndTest {

    @Test
    void mnistSubsetFlowsFromIngestToEvaluation(@TempDir Path workDir) throws Exception {
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(new Layout(Path.of("..")), workDir)) {
            EndToEndScenario.run(infra, workDir);
        }
    }
}
