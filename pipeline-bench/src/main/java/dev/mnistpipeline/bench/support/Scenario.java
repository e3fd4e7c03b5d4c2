package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.events.Hyperparameters;

import java.util.List;
import java.util.Map;

/**
 * One benchmark: it measures and returns figures for {@code bench/results/<name>.json}; it never asserts.
 * Registered in {@code bench.Scenarios}, which {@code ./pipeline bench --list} and the launcher script read.
 */
public interface Scenario {
    /** What a scenario needs to run. */
    enum Needs {
        /** A pipeline run on a fresh embedded stack first; {@link #measure} gets it with the stack still up. */
        STACK,
        /** Nothing but this process. */
        NOTHING,
        /** A fresh embedded stack that the scenario starts itself, with the services it needs ({@link DataStack}). */
        OWN_STACK,
        /** This process with DJL's PyTorch engine on the class path ({@code -Ppytorch}). */
        PYTORCH
    }

    String name();

    /** One line for {@code --list}. */
    String summary();

    default Needs needs() {
        return Needs.STACK;
    }

    /** The hyperparameters of the pipeline run unless the command line gives some; null: the demo's. */
    default Hyperparameters preset() {
        return null;
    }

    /** Configuration overrides per service (environment variables) for the scenario's stack. */
    default Map<String, Map<String, String>> serviceEnv() {
        return Map.of();
    }

    /** Options after the scenario's name, for a scenario that needs no pipeline run; none by default. */
    default void options(List<String> args) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException(name() + " takes no options, got " + args);
        }
    }

    /** @param run the finished pipeline run with its stack, or null for scenarios that need none */
    Map<String, Object> measure(Layout layout, RunContext run) throws Exception;
}
