package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.run.PipelineRun;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.json.Json;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.ArrayList;

/**
 * {@code ./pipeline demo}: a fresh embedded stack (Kafka and S3 processes, then the four services), one pass through
 * the pipeline with the given hyperparameters, the report, and everything stopped again.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Ingest MNIST, preprocess, train, evaluate and gate on a fresh embedded stack; prints the report"
                + " and a JSON summary as the last line.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    TrainOptions.Parsed options = new TrainOptions.Parsed();

    @Override
    public Integer call() throws Exception {
        return run(options.options());
    }

    /** Work done on the stack after the run and before it stops. */
    public interface AfterRun {
        void accept(RunContext run) throws Exception;
    }

    /** The demo: prints progress, the report, and a JSON summary as the last line. */
    public static int run(TrainOptions options) throws Exception {
        return run(options, run -> {
        });
    }

    public static int run(TrainOptions options, AfterRun afterRun) throws Exception {
        return run(options, Map.of(), afterRun);
    }

    /** @param serviceEnv configuration overrides per service (environment variables), on top of the demo's own */
    public static int run(TrainOptions options, Map<String, Map<String, String>> serviceEnv, AfterRun afterRun) throws Exception {
        Layout layout = Layout.detect();
        Path data = Files.createDirectories(layout.stateDir()).resolve("run-" + System.currentTimeMillis());
        PrintStream out = System.out;
        out.println("Starting the embedded stack: Kafka (KRaft) and S3 (S3Proxy) processes, then four services ...");
        long start = System.nanoTime();
        LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, data);
        Map<String, Map<String, String>> env = new HashMap<>(sourceAccess(layout, options.source()));
        serviceEnv.forEach((service, vars) -> env.merge(service, vars, (a, b) -> {
            Map<String, String> both = new HashMap<>(a);
            both.putAll(b);
            return both;
        }));
        PipelineStack stack = new PipelineStack(layout, infra, data.resolve("logs"), Map.of(), env);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            infra.close();
        }));
        try (infra; stack) {
            stack.start();
            try (EventStream events = new EventStream(infra.bootstrapServers())) {
            out.printf("Stack up in %.1f s: kafka %s, s3 %s, ingest %s, preprocess %s, trainer %s, evaluator %s%n",
                    (System.nanoTime() - start) / 1e9, infra.bootstrapServers(), infra.s3Endpoint(),
                    stack.url("ingest-service"), stack.url("preprocess-service"), stack.url("trainer-service"),
                    stack.url("evaluator-service"));
            PipelineRun.Result r = PipelineRun.run(stack, events, Json.write(Map.of("source", options.source())),
                    options.hyperparameters(), out);
            ReportPrinter.print(r.report(), out);
            afterRun.accept(new RunContext(layout, r, infra, stack, events));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("accuracy", round(r.report().accuracy()));
            summary.put("precision_macro", round(r.report().macro().precision()));
            summary.put("recall_macro", round(r.report().macro().recall()));
            summary.put("f1_macro", round(r.report().macro().f1()));
            summary.put("model", r.model().modelId());
            summary.put("dataset", r.datasetId());
            summary.put("prepared", r.prepared().preparedId());
            summary.put("evaluation", r.evaluation().evaluationId());
            summary.put("promoted", r.decision().promoted());
            summary.put("epochs", options.hyperparameters().epochs());
            summary.put("train_seconds", round(r.trainSeconds()));
            summary.put("total_seconds", round((System.nanoTime() - start) / 1e9));
            out.println(Json.write(summary));
            return 0;
            }
        } catch (Exception e) {
            out.println("Pipeline failed: " + e.getMessage());
            out.println("Service logs: " + data.resolve("logs"));
            throw e;
        } finally {
            if (!options.keep()) {
                LocalFiles.deleteTree(data);
            }
        }
    }

    /** A directory given with {@code --source} is the user's own data on their own stack: the ingest service may read it. */
    private static Map<String, Map<String, String>> sourceAccess(Layout layout, String source) {
        if (!Files.isDirectory(Path.of(source))) {
            return Map.of();
        }
        List<String> dirs = new ArrayList<>(PipelineStack.ingestDirs(layout));
        dirs.add(Path.of(source).toAbsolutePath().toString());
        return Map.of("ingest-service", Map.of("PIPELINE_INGEST_ALLOWED_DIRS", String.join(",", dirs)));
    }

    static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
