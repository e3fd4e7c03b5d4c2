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

import static dev.mnistpipeline.bench.support.Figures.percentile;
import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * The serving levers, each measured on an evaluator instance of its own, started for it beside the stack's (which
 * stays idle) and serving the same champion: the JVM's collector (serial, as the local stack runs it; parallel;
 * G1, what a container with 2 CPUs and 2 GB gets by default) and trace sampling on {@code /predict} (1 % of the
 * requests that start a trace, as configured, against every request). Per lever: closed-loop throughput and latency, and, from the instance's own
 * Micrometer counters over the measured phase, the bytes allocated per request and the GC pause time per second.
 * The levers' phases alternate, round after round, so that drift of the machine falls on all of them alike.
 */
public final class ServingLevers implements Scenario {
    static final int CLIENTS = 8;
    static final Duration WARM_UP = Duration.ofSeconds(20);
    static final Duration PHASE = Duration.ofSeconds(5);
    static final int ROUNDS = 4;
    static final List<String> SERIAL = List.of("-Xmx1g", "-XX:+UseSerialGC");

    private record Lever(String name, List<String> jvm, Map<String, String> env) {
    }

    static final List<Lever> LEVERS = List.of(
            new Lever("baseline", SERIAL, Map.of()),
            new Lever("parallel_gc", List.of("-Xmx1g", "-XX:+UseParallelGC"), Map.of()),
            new Lever("g1_gc", List.of("-Xmx1g", "-XX:+UseG1GC"), Map.of()),
            new Lever("trace_every_request", SERIAL, Map.of("PIPELINE_PREDICT_TRACE_SAMPLING", "1")));

    @Override
    public String name() {
        return "serving-levers";
    }

    @Override
    public String summary() {
        return "/predict on an evaluator per lever (serial / parallel / G1 collector, every request traced): req/s, p99, "
                + "bytes allocated per request, GC pause per second";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PredictTraffic traffic = PredictTraffic.of(run);
        Map<Lever, ManagedProcess> instances = new LinkedHashMap<>();
        Map<Lever, PredictTraffic> clients = new LinkedHashMap<>();
        try {
            for (Lever lever : LEVERS) {
                String instance = "evaluator-" + lever.name().replace('_', '-');
                System.out.printf("serving-levers: starting %s ...%n", instance);
                instances.put(lever, run.stack().startInstance("evaluator-service", instance, lever.env(), lever.jvm()));
                clients.put(lever, traffic.at(run.stack().url(instance)));
            }
            for (Lever lever : LEVERS) {
                ClosedLoop.drive(clients.get(lever), PredictTraffic::predict, WARM_UP, CLIENTS);
            }
            // Short phases, lever after lever, round after round: drift of the machine falls on all alike.
            Map<Lever, Phase> phases = new LinkedHashMap<>();
            Map<Lever, double[]> counted = new LinkedHashMap<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (Lever lever : LEVERS) {
                    String url = clients.get(lever).baseUrl();
                    Map<String, Double> before = counters(url);
                    Phase phase = ClosedLoop.drive(clients.get(lever), PredictTraffic::predict, PHASE, CLIENTS);
                    Map<String, Double> after = counters(url);
                    phases.merge(lever, phase, Phase::plus);
                    double[] sums = counted.computeIfAbsent(lever, l -> new double[2]);
                    sums[0] += after.get(ALLOCATED) - before.get(ALLOCATED);
                    sums[1] += after.get(PAUSE) - before.get(PAUSE);
                }
            }
            Map<String, Map<String, Object>> levers = new LinkedHashMap<>();
            Phase baseline = phases.get(LEVERS.get(0));
            for (Lever lever : LEVERS) {
                Phase phase = phases.get(lever);
                Map<String, Object> figures = new LinkedHashMap<>(phase.figures());
                figures.put("allocated_kb_per_request", round(counted.get(lever)[0] / 1024 / phase.requests()));
                figures.put("gc_pause_ms_per_s", round(counted.get(lever)[1] * 1000 / phase.seconds()));
                figures.put("throughput_vs_baseline", round(phase.throughput() / baseline.throughput()));
                figures.put("p99_vs_baseline", round(percentile(phase.sorted(), 0.99) / percentile(baseline.sorted(), 0.99)));
                figures.put("peak_rss_mb", instances.get(lever).peakRssMb());
                figures.put("jvm", String.join(" ", lever.jvm()));
                figures.put("env", lever.env());
                levers.put(lever.name(), figures);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("levers", levers);
            result.put("clients", CLIENTS);
            result.put("rounds", ROUNDS);
            result.put("phase_s", PHASE.toSeconds());
            result.put("note", "each lever on an evaluator instance of its own serving the same champion, all started first; "
                    + WARM_UP.toSeconds() + " s of uncounted warm-up each, then " + ROUNDS + " rounds of one " + PHASE.toSeconds()
                    + " s phase per lever; baseline = serial GC, 1 % of /predict traced, as the local stack runs the evaluator");
            return result;
        } finally {
            instances.values().forEach(ManagedProcess::close);
        }
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
