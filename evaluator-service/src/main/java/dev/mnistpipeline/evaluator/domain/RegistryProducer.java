package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.evaluator.domain.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The registry with the gate thresholds from {@code pipeline.registry.*}. */
public class RegistryProducer {

    @Produces
    @ApplicationScoped
    ModelRegistry registry(ObjectStore store, GateSuites suites,
                           @ConfigProperty(name = "pipeline.registry.min-accuracy") double minAccuracy,
                           @ConfigProperty(name = "pipeline.registry.min-accuracy-gain") double minAccuracyGain,
                           @ConfigProperty(name = "pipeline.registry.max-class-recall-drop") double maxClassRecallDrop,
                           @ConfigProperty(name = "pipeline.registry.min-test-images", defaultValue = "1000") int minTestImages) {
        return new ModelRegistry(store, new GateThresholds(minAccuracy, minAccuracyGain, maxClassRecallDrop, minTestImages), suites);
    }
}
