package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.json.Json;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;

/** What every command against a running stack takes: which stack, and whether to answer in JSON. */
final class StackOptions {
    @Option(names = "--context", paramLabel = "NAME",
            description = "the stack in .pipeline/contexts/NAME.env (default: the one ./pipeline up started)")
    String context;

    @Option(names = "--json", description = "print JSON for scripts instead of text")
    boolean json;

    StackClient connect() throws IOException {
        return StackClient.connect(Layout.detect().stateDir(), context);
    }

    /** Prints {@code value} as JSON when asked to, and says whether it did (the caller prints text otherwise). */
    boolean printedJson(Object value, PrintStream out) {
        if (json) {
            out.println(Json.write(value));
        }
        return json;
    }
}
