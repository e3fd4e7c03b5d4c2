package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.client.EventStream;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import dev.mnistpipeline.cli.stack.PipelineStack;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./pipeline <command>}: the embedded local stack and what runs on it.
 *
 * <pre>
 * demo  [--epochs N] [--batch-size N] [--learning-rate X] [--optimizer adam|sgd] [--loss cross_entropy|mse] [--source S] [--keep]
 * up    start Kafka, S3 and the four services on fixed ports and leave them running
 * down  stop what 'up' started
 * bench pipeline-full|evaluate-10k|predict-latency [same options as demo]
 * </pre>
 */
public final class PipelineCli {
    /** Ports of 'up', documented in the README. */
    static final Map<String, Integer> UP_PORTS = Map.of("ingest-service", 8081, "preprocess-service", 8082,
            "trainer-service", 8083, "evaluator-service", 8084);
    static final int UP_KAFKA_PORT = 9092;
    static final int UP_S3_PORT = 9000;

    private PipelineCli() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            usage(System.err);
            System.exit(2);
        }
        try {
            int code = switch (args[0]) {
                case "demo", "train" -> demo(Options.parse(args, 1), null);
                case "bench" -> bench(args);
                case "up" -> up();
                case "down" -> down();
                case "help", "--help", "-h" -> {
                    usage(System.out);
                    yield 0;
                }
                default -> {
                    System.err.println("unknown command: " + args[0]);
                    usage(System.err);
                    yield 2;
                }
            };
            System.exit(code);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    static void usage(PrintStream out) {
        out.println("""
                usage: ./pipeline <command>
                  demo   ingest MNIST, preprocess, train, evaluate, gate on a fresh embedded stack; prints the report
                  train  the same, for choosing what to train; options (defaults in brackets):
                         --architecture cnn|mlp|lenet|lstm|transformer (cnn)  --epochs N (2)  --batch-size N (128)
                         --learning-rate X (0.001)  --optimizer adam|sgd (adam)  --loss cross_entropy|mse
                         --activation relu|sigmoid|tanh (per architecture)  --schedule cosine|constant|step
                         --weight-decay X (0)  --early-stopping PATIENCE (0: off)  --seed N (42)
                         --augment standard|none|rotation=10,shift=2,scale=0.9-1.1[,elastic] (the dataset's policy)
                         --base-model MODEL_ID  --freeze none|features  --transfer all|features|convolutions (transfer learning)
                         --source mnist|DIR|URL (mnist)  --keep (keep data and logs)
                  up     start Kafka (9092), S3 (9000) and the services (8081-8084), leave them running
                  down   stop what 'up' started
                  bench  pipeline-full|evaluate-10k|predict-latency|train-cnn|train-lstm|train-transformer|time-to-99
                         [train options]: runs the pipeline (train-* and time-to-99 have preset hyperparameters),
                         measures, writes bench/results/<scenario>.json; augment: augmentation throughput, no stack;
                         finetune-fashion: MNIST CNN fine-tuned vs from scratch on 1,000 Fashion-MNIST images;
                         compare-djl-pytorch: our TF CNN against the same CNN on DJL-PyTorch (module pipeline-bench)""");
    }

    /** {@code standard}, {@code none}, or {@code rotation=10,shift=2,scale=0.9-1.1,elastic}. */
    static Augmentation parseAugmentation(String spec) {
        if (spec.equals("standard")) {
            return Augmentation.STANDARD;
        }
        if (spec.equals("none")) {
            return Augmentation.NONE;
        }
        Double rotation = null, shift = null, scaleMin = null, scaleMax = null;
        boolean elastic = false;
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            switch (kv[0]) {
                case "rotation" -> rotation = Double.parseDouble(kv[1]);
                case "shift" -> shift = Double.parseDouble(kv[1]);
                case "scale" -> {
                    String[] range = kv[1].split("-", 2);
                    scaleMin = Double.parseDouble(range[0]);
                    scaleMax = Double.parseDouble(range.length > 1 ? range[1] : range[0]);
                }
                case "elastic" -> elastic = true;
                default -> throw new IllegalArgumentException("unknown augmentation part '" + part + "' (rotation=D,shift=P,scale=A-B,elastic)");
            }
        }
        return new Augmentation(rotation, shift, scaleMin, scaleMax, elastic);
    }

    /** Demo options. */
    record Options(Hyperparameters hyperparameters, String source, boolean keep) {
        static Options parse(String[] args, int from) {
            Integer epochs = null, batch = null, patience = null;
            Double lr = null, weightDecay = null;
            String architecture = null, optimizer = null, loss = null, activation = null, schedule = null, source = "mnist";
            Long seed = null;
            boolean keep = false;
            Augmentation augmentation = null;
            String baseModel = null, freeze = null, transfer = null;
            for (int i = from; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--keep")) {
                    keep = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--architecture" -> architecture = v;
                    case "--activation" -> activation = v;
                    case "--schedule" -> schedule = v;
                    case "--weight-decay" -> weightDecay = Double.parseDouble(v);
                    case "--early-stopping" -> patience = Integer.parseInt(v);
                    case "--augment" -> augmentation = parseAugmentation(v);
                    case "--base-model" -> baseModel = v;
                    case "--freeze" -> freeze = v;
                    case "--transfer" -> transfer = v;
                    case "--epochs" -> epochs = Integer.parseInt(v);
                    case "--batch-size" -> batch = Integer.parseInt(v);
                    case "--learning-rate" -> lr = Double.parseDouble(v);
                    case "--optimizer" -> optimizer = v;
                    case "--loss" -> loss = v;
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--source" -> source = v;
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return new Options(new Hyperparameters(architecture, epochs, batch, lr, optimizer, loss, seed, activation,
                    schedule, weightDecay, patience, augmentation, baseModel, freeze, transfer).withDefaults(), source, keep);
        }
    }

    /** @param benchScenario a {@link Benchmarks} scenario to measure after the run, or null for the demo */
    static int demo(Options options, String benchScenario) throws Exception {
        Layout layout = Layout.detect();
        Path data = Files.createDirectories(layout.stateDir()).resolve("run-" + System.currentTimeMillis());
        PrintStream out = System.out;
        out.println("Starting the embedded stack: Kafka (KRaft) and S3 (S3Proxy) processes, then four services ...");
        long start = System.nanoTime();
        LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, data);
        PipelineStack stack = new PipelineStack(layout, infra, data.resolve("logs"), Map.of(), Map.of());
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
            if (benchScenario != null) {
                Benchmarks.write(benchScenario, layout, r, infra, stack, events);
            }
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

    static int bench(String[] args) throws Exception {
        if (args.length < 2 || !Benchmarks.SCENARIOS.contains(args[1])) {
            throw new IllegalArgumentException("bench needs a scenario: one of " + Benchmarks.SCENARIOS);
        }
        if (Benchmarks.STANDALONE.contains(args[1])) {
            Benchmarks.writeStandalone(args[1], Layout.detect());
            return 0;
        }
        Options options = Options.parse(args, 2);
        Hyperparameters preset = Benchmarks.PRESETS.get(args[1]);
        if (preset != null && args.length == 2) {
            options = new Options(preset.withDefaults(), options.source(), options.keep());
        }
        return demo(options, args[1]);
    }

    static int up() throws Exception {
        Layout layout = Layout.detect();
        Path dir = layout.stateDir().resolve("up");
        if (Files.exists(dir.resolve("pids"))) {
            throw new IllegalStateException("a stack is already up (" + dir.resolve("pids") + "); run ./pipeline down first");
        }
        String access = LocalInfrastructure.randomKey(10), secret = LocalInfrastructure.randomKey(20);
        LocalInfrastructure infra = new LocalInfrastructure(layout, dir, UP_KAFKA_PORT, UP_S3_PORT, access, secret);
        PipelineStack stack = new PipelineStack(layout, infra, dir.resolve("logs"), UP_PORTS, Map.of());
        try {
            stack.start();
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
        List<String> pids = new ArrayList<>();
        infra.processes().forEach(p -> pids.add(Long.toString(p.pid())));
        stack.processes().values().forEach(p -> pids.add(Long.toString(p.pid())));
        Files.write(dir.resolve("pids"), pids);
        Files.writeString(dir.resolve("stack.env"), String.join("\n",
                "KAFKA_BOOTSTRAP_SERVERS=" + infra.bootstrapServers(),
                "PIPELINE_STORAGE_ENDPOINT=" + infra.s3Endpoint(),
                "PIPELINE_STORAGE_ACCESS_KEY=" + access,
                "PIPELINE_STORAGE_SECRET_KEY=" + secret, ""));
        System.out.printf("""
                Stack is up (logs and data in %s):
                  Kafka       %s
                  S3          %s   (credentials in %s)
                  ingest      %s   POST /datasets
                  preprocess  %s
                  trainer     %s   POST /trainings
                  evaluator   %s   GET /evaluations/{id}, GET /models, POST /predict
                  dashboard   %s/   live curves, runs, registry, confusion matrix, draw a digit
                Stop it with ./pipeline down
                """, layout.root().relativize(dir), infra.bootstrapServers(), infra.s3Endpoint(),
                layout.root().relativize(dir.resolve("stack.env")), stack.url("ingest-service"), stack.url("preprocess-service"),
                stack.url("trainer-service"), stack.url("evaluator-service"), stack.url("evaluator-service"));
        return 0;
    }

    static int down() throws IOException, InterruptedException {
        Layout layout = Layout.detect();
        Path pids = layout.stateDir().resolve("up/pids");
        if (!Files.exists(pids)) {
            System.out.println("No stack is up.");
            return 0;
        }
        List<ProcessHandle> handles = new ArrayList<>();
        for (String line : Files.readAllLines(pids)) {
            ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(handles::add);
        }
        for (int i = handles.size() - 1; i >= 0; i--) {
            handles.get(i).destroy();
        }
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        Files.delete(pids);
        System.out.println("Stopped " + handles.size() + " processes. Data stays in " + layout.root().relativize(pids.getParent()) + " (delete it to start afresh).");
        return 0;
    }

    static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
