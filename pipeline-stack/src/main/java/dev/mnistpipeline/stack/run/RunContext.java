package dev.mnistpipeline.stack.run;

import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;

/** What a finished run on an embedded stack hands to whoever measures it (a benchmark), with the stack still up. */
public record RunContext(Layout layout, PipelineRun.Result result, LocalInfrastructure infra, PipelineStack stack,
                         EventStream events) {
}
