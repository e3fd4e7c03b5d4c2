package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry with the gate thresholds from {@code pipeline.registry.*}; a registered model may have its own,
 * {@code pipeline.registry.models."<name>".min-accuracy} and so on (env:
 * {@code PIPELINE_REGISTRY_MODELS__FASHION_MNIST__MIN_ACCURACY}), each falling back to the global one.
 */
public class RegistryProducer {
    static final String PER_MODEL = "pipeline.registry.models.\"%s\".%s";

    @Produces
    @ApplicationScoped
    ModelRegistry registry(ObjectStore store, GateSuites suites, Config config,
                           @ConfigProperty(name = "pipeline.registry.min-accuracy") double minAccuracy,
                           @ConfigProperty(name = "pipeline.registry.min-accuracy-gain") double minAccuracyGain,
                           @ConfigProperty(name = "pipeline.registry.max-class-recall-drop") double maxClassRecallDrop,
                           @ConfigProperty(name = "pipeline.registry.min-test-images", defaultValue = "1000") int minTestImages) {
        GateThresholds global = new GateThresholds(minAccuracy, minAccuracyGain, maxClassRecallDrop, minTestImages);
        return new ModelRegistry(store, perModel(config, global), suites);
    }

    /** Each name's thresholds, read once. */
    static Function<String, GateThresholds> perModel(Config config, GateThresholds global) {
        Map<String, GateThresholds> byName = new ConcurrentHashMap<>();
        return name -> byName.computeIfAbsent(name, n -> new GateThresholds(
                setting(config, n, "min-accuracy", global.minAccuracy()),
                setting(config, n, "min-accuracy-gain", global.minAccuracyGain()),
                setting(config, n, "max-class-recall-drop", global.maxClassRecallDrop()),
                (int) setting(config, n, "min-test-images", global.minTestImages())));
    }

    private static double setting(Config config, String name, String setting, double fallback) {
        return config.getOptionalValue(PER_MODEL.formatted(name, setting), Double.class).orElse(fallback);
    }
}
