package dev.mnistpipeline.evaluator.model;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Which model version this replica serves, in {@code /q/health/ready} ({@code serving}), so a replica that still
 * serves a superseded champion can be seen. Always UP: a replica without a champion still answers everything else.
 */
@Readiness
@ApplicationScoped
public class ServingReadiness implements HealthCheck {
    private final ChampionModel champion;

    public ServingReadiness(ChampionModel champion) {
        this.champion = champion;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("serving").up().withData("serving", champion.modelId().orElse("none")).build();
    }
}
