package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.stack.ManagedProcess;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU seconds used so far by each process of a data stack, replicas of one service summed under its name, and by
 * this benchmark process as {@code load-generator}: where a saturated machine's cores went.
 */
public record StackCpu(long at, Map<String, Double> seconds) {
    static final String LOAD_GENERATOR = "load-generator";

    public static StackCpu now(DataStack data) {
        Map<String, Double> seconds = new TreeMap<>();
        Stream.concat(data.infra().processes().stream(), data.stack().processes().values().stream()).forEach(p -> {
            double cpu = p.cpuSeconds(); // one read of /proc per process; negative where it has ended
            if (cpu >= 0) {
                seconds.merge(role(p), cpu, Double::sum);
            }
        });
        seconds.put(LOAD_GENERATOR, ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0));
        return new StackCpu(System.nanoTime(), seconds);
    }

    /** A service's second replica ({@code ingest-service-2}) counts as its service. */
    private static String role(ManagedProcess process) {
        return process.name().replaceFirst("-service-\\d+$", "-service");
    }

    /** Cores each process kept busy on average from {@code earlier} to this snapshot. */
    public Map<String, Double> coresSince(StackCpu earlier) {
        double wall = (at - earlier.at) / 1e9;
        Map<String, Double> cores = new TreeMap<>();
        seconds.forEach((name, cpu) -> cores.put(name, Figures.round((cpu - earlier.seconds.getOrDefault(name, 0.0)) / wall)));
        return cores;
    }
}
