package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;

/**
 * Readiness follows object storage: while the bucket cannot be reached, {@code /q/health/ready} is DOWN with the
 * reason, so Kubernetes routes no traffic here; it comes back UP by itself when storage does. Liveness is not
 * affected: restarting a healthy process does not bring storage back.
 */
@Readiness
@ApplicationScoped
public class StorageReadiness implements HealthCheck {
    private final ObjectStore store;

    public StorageReadiness(ObjectStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<String> problem = store.problem();
        return HealthCheckResponse.named("object-storage").status(problem.isEmpty())
                .withData("reason", problem.orElse("reachable")).build();
    }
}
