package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.ClosedLoop;
import dev.mnistpipeline.bench.support.ClosedLoop.Phase;
import dev.mnistpipeline.bench.support.PredictTraffic;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.run.RunContext;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * The serving levers, each measured on an evaluator instance of its own, started for it beside the stack's (which
 * stays idle) and serving the same champion: the JVM's collector (serial, as the local stack runs it; parallel;
 * G1, what a container with 2 CPUs and 2 GB gets by default) and trace sampling on {@code /predict} (every request,
 * as configured, against 1 %). Per lever: closed-loop throughput and latency, and, from the instance's own
 * Micrometer counters over the measured phase, the bytes allocated per request and the GC pause time per second.
 * The baseline runs first and last, so drift of the machine shows as the difference of the two.
 */
public final class ServingLevers implements Scenario {
    static final int CLIENTS = 8;
    static final Duration WARM_UP = Duration.ofSeconds(20);
    static final Duration PHASE = Duration.ofSeconds(15);
    static final List<String> SERIAL = List.of("-Xmx1g", "-XX:+UseSerialGC");

    private record Lever(String name, List<String> jvm, Map<String, String> env) {
    }

    static final List<Lever> LEVERS = List.of(
            new Lever("baseline", SERIAL, Map.of()),
            new Lever("parallel_gc", List.of("-Xmx1g", "-XX:+UseParallelGC"), Map.of()),
            new Lever("g1_gc", List.of("-Xmx1g", "-XX:+UseG1GC"), Map.of()),
            new Lever("trace_1_percent", SERIAL, Map.of("QUARKUS_OTEL_TRACES_SAMPLER", "traceidratio", "QUARKUS_OTEL_TRACES_SAMPLER_ARG", "0.01")),
            new Lever("baseline_again", SERIAL, Map.of()));

    @Override
    public String name() {
        return "serving-levers";
    }

    @Override
    public String summary() {
        return "/predict on an evaluator per lever (serial / parallel / G1 collector, 1 % trace sampling): req/s, p99, "
                + "bytes allocated per request, GC pause per second";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PredictTraffic traffic = PredictTraffic.of(run);
        Map<String, Object> result = new LinkedHashMap<>();
        Map<String, Map<String, Object>> levers = new LinkedHashMap<>();
        for (Lever lever : LEVERS) {
            String instance = "evaluator-" + lever.name().replace('_', '-');
            System.out.printf("serving-levers: %s ...%n", lever.name());
            ManagedProcess process = run.stack().startInstance("evaluator-service", instance, lever.env(), lever.jvm());
            try {
                String url = run.stack().url(instance);
                PredictTraffic client = traffic.at(url);
                ClosedLoop.drive(client, PredictTraffic::predict, WARM_UP, CLIENTS);
                Map<String, Double> before = counters(url);
                Phase phase = ClosedLoop.drive(client, PredictTraffic::predict, PHASE, CLIENTS);
                Map<String, Double> after = counters(url);
                Map<String, Object> figures = new LinkedHashMap<>(phase.figures());
                double allocated = after.get(ALLOCATED) - before.get(ALLOCATED);
                figures.put("allocated_kb_per_request", round(allocated / 1024 / phase.requests()));
                figures.put("gc_pause_ms_per_s", round((after.get(PAUSE) - before.get(PAUSE)) * 1000 / phase.seconds()));
                figures.put("peak_rss_mb", process.peakRssMb());
                figures.put("jvm", String.join(" ", lever.jvm()));
                figures.put("env", lever.env());
                levers.put(lever.name(), figures);
                System.out.printf("serving-levers: %s %s%n", lever.name(), figures);
            } finally {
                process.close();
            }
        }
        double baseline = ((double) levers.get("baseline").get("throughput_per_s") + (double) levers.get("baseline_again").get("throughput_per_s")) / 2;
        double baselineP99 = ((double) levers.get("baseline").get("p99_ms") + (double) levers.get("baseline_again").get("p99_ms")) / 2;
        for (Map<String, Object> figures : levers.values()) {
            figures.put("throughput_vs_baseline", round((double) figures.get("throughput_per_s") / baseline));
            figures.put("p99_vs_baseline", round((double) figures.get("p99_ms") / baselineP99));
        }
        result.put("levers", levers);
        result.put("clients", CLIENTS);
        result.put("phase_s", PHASE.toSeconds());
        result.put("note", "each lever on a fresh evaluator instance serving the same champion; " + WARM_UP.toSeconds()
                + " s of uncounted warm-up; baseline = the mean of the first and last run (serial GC, every request traced)");
        return result;
    }

    static final String ALLOCATED = "jvm_gc_memory_allocated_bytes_total";
    static final String PAUSE = "jvm_gc_pause_seconds_sum";

    /** The instance's allocation and GC pause counters (summed over their label sets) from its Prometheus endpoint. */
    private static Map<String, Double> counters(String url) {
        String metrics = Http.get(url + "/q/metrics").requireSuccess("metrics").body();
        Map<String, Double> sums = new LinkedHashMap<>(Map.of(ALLOCATED, 0.0, PAUSE, 0.0));
        for (String line : metrics.split("\n")) {
            for (String name : sums.keySet()) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    sums.merge(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                }
            }
        }
        return sums;
    }
}
