package dev.mnistpipeline.evaluator.model;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Which model version this replica serves (the default name's champion, and each name's as {@code serving.<name>}), in {@code /q/health/ready} ({@code serving}), so a replica that still
 * serves a superseded champion can be seen. Always UP: a replica without a champion still answers everything else.
 */
@Readiness
@ApplicationScoped
public class ServingReadiness implements HealthCheck {
    private final ServedModels models;

    public ServingReadiness(ServedModels models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("serving").up().withData("serving", models.modelId().orElse("none"));
        models.champions().forEach((name, modelId) -> response.withData("serving." + name, modelId));
        return response.build();
    }
}
