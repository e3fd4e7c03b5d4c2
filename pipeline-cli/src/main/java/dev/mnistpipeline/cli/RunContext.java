package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.client.EventStream;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import dev.mnistpipeline.cli.stack.PipelineStack;

/** What a finished run on an embedded stack hands to whoever measures it (a benchmark), with the stack still up. */
public record RunContext(Layout layout, PipelineRun.Result result, LocalInfrastructure infra, PipelineStack stack,
                         EventStream events) {
}
