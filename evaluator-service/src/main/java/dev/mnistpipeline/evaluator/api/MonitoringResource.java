package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.evaluator.domain.DriftMonitor;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** What monitoring sees on this replica: input and prediction drift of every version that answered requests. */
@Path("/monitoring")
@Produces(MediaType.APPLICATION_JSON)
public class MonitoringResource {
    private final DriftMonitor drift;

    public MonitoringResource(DriftMonitor drift) {
        this.drift = drift;
    }

    @Operation(summary = "Input and prediction drift of each served version, by window, against its training reference")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<DriftMonitor.Status> status() {
        return drift.status();
    }
}
