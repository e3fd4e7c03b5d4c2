package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.evaluator.domain.DriftMonitor;
import dev.mnistpipeline.evaluator.domain.LiveAccuracy;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/**
 * What monitoring sees on this replica: input and prediction drift of every version that answered requests, and the
 * accuracy of the serving versions on freshly published labelled samples.
 */
@Path("/monitoring")
@Produces(MediaType.APPLICATION_JSON)
public class MonitoringResource {
    private final DriftMonitor drift;
    private final LiveAccuracy liveAccuracy;

    public MonitoringResource(DriftMonitor drift, LiveAccuracy liveAccuracy) {
        this.drift = drift;
        this.liveAccuracy = liveAccuracy;
    }

    public record Monitoring(List<DriftMonitor.Status> drift, List<LiveAccuracy.Status> liveAccuracy) {
    }

    @Operation(summary = "Input and prediction drift of each served version against its training reference, and live accuracy on published samples")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public Monitoring status() {
        return new Monitoring(drift.status(), liveAccuracy.status());
    }
}
