package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.events.RolloutPolicy;
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
 * {@code PIPELINE_REGISTRY_MODELS__FASHION_MNIST__MIN_ACCURACY}), each falling back to the global one. What a
 * passing candidate does ({@link GateRelease}) is {@code pipeline.registry.on-gate-pass}, per name as well, with the
 * rollout's share and policy from {@code pipeline.registry.rollout.*}.
 */
public class RegistryProducer {
    static final String PER_MODEL = "pipeline.registry.models.\"%s\".%s";

    @Produces
    @ApplicationScoped
    ModelRegistry registry(ObjectStore store, GateSuites suites, Config config,
                           @ConfigProperty(name = "pipeline.registry.min-accuracy") double minAccuracy,
                           @ConfigProperty(name = "pipeline.registry.min-accuracy-gain") double minAccuracyGain,
                           @ConfigProperty(name = "pipeline.registry.max-class-recall-drop") double maxClassRecallDrop,
                           @ConfigProperty(name = "pipeline.registry.min-test-images", defaultValue = "1000") int minTestImages,
                           @ConfigProperty(name = "pipeline.registry.on-gate-pass", defaultValue = GateRelease.PROMOTE) String onGatePass,
                           @ConfigProperty(name = "pipeline.registry.rollout.share", defaultValue = "0.1") double share,
                           @ConfigProperty(name = "pipeline.registry.rollout.min-requests", defaultValue = "200") int minRequests,
                           @ConfigProperty(name = "pipeline.registry.rollout.min-labelled", defaultValue = "0") int minLabelled,
                           @ConfigProperty(name = "pipeline.registry.rollout.max-accuracy-drop", defaultValue = "0.0") double maxAccuracyDrop) {
        GateThresholds global = new GateThresholds(minAccuracy, minAccuracyGain, maxClassRecallDrop, minTestImages);
        RolloutPolicy policy = new RolloutPolicy(minRequests, null, null, null, minLabelled, maxAccuracyDrop);
        GateRelease release = release(onGatePass, share, policy, "pipeline.registry.on-gate-pass");
        Map<String, GateRelease> releases = new ConcurrentHashMap<>();
        Function<String, GateRelease> perName = name -> releases.computeIfAbsent(name, n -> config
                .getOptionalValue(PER_MODEL.formatted(n, "on-gate-pass"), String.class)
                .map(mode -> release(mode, share, policy, PER_MODEL.formatted(n, "on-gate-pass"))).orElse(release));
        return new ModelRegistry(store, perModel(config, global), suites, perName);
    }

    /** A misconfigured release refuses to start the service (or to decide), naming the setting. */
    private static GateRelease release(String mode, double share, RolloutPolicy policy, String key) {
        try {
            return new GateRelease(mode.trim(), share, policy);
        } catch (RuntimeException e) {
            throw new IllegalStateException(key + " is misconfigured: " + e.getMessage(), e);
        }
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
