package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.cluster.ClusterDrill;
import dev.mnistpipeline.stack.cluster.NetworkNamespaces;
import dev.mnistpipeline.stack.run.RunContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link ClusterDrill} as a benchmark: three brokers, S3 and the four services (two trainers) on hosts of their own
 * in network namespaces; the leader of {@code samples.submitted}/0 cut mid-flow, then the trainer holding the run.
 * Needs root (network namespaces); without it, it says why and measures nothing.
 */
public final class ClusterChaos implements Scenario {
    @Override
    public String name() {
        return "cluster-chaos";
    }

    @Override
    public String summary() {
        return "3 brokers + services in network namespaces: the samples leader's link cut mid-flow, then a trainer's (root)";
    }

    @Override
    public Needs needs() {
        return Needs.OWN_STACK;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext ignored) throws Exception {
        String unavailable = NetworkNamespaces.unavailableBecause();
        if (unavailable != null) {
            throw new IllegalStateException("cluster-chaos cannot run here: " + unavailable);
        }
        Path work = Files.createTempDirectory("cluster-chaos");
        Map<String, Object> result = new LinkedHashMap<>(ClusterDrill.run(layout, work).figures());
        result.put("targets", "samples_lost 0, duplicates 0, run_resumed_on_other_trainer true");
        result.put("note", "recovery_s includes the services' wait for requests to the silent broker to time out "
                + "(request.timeout.ms 10 s in their application.properties)");
        return result;
    }
}
