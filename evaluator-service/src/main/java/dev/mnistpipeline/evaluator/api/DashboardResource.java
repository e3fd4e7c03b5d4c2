package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.sweeps.SweepRecords;
import dev.mnistpipeline.evaluator.domain.DashboardState;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/**
 * Data behind the dashboard page ({@code /}, served from {@code META-INF/resources}) beside {@code /runs}: sweeps,
 * and a server-sent-event stream of training metrics, evaluations and gate decisions as they happen.
 */
@Path("/dashboard")
public class DashboardResource {

    private final DashboardState dashboard;
    private final SweepRecords sweeps;

    public DashboardResource(DashboardState dashboard, ObjectStore store) {
        this.dashboard = dashboard;
        this.sweeps = new SweepRecords(store);
    }

    @Operation(summary = "Every sweep with its trials' hyperparameters, per-epoch validation accuracy and end, and the gate's verdict")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/sweeps")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SweepRecords.View> sweeps() {
        return sweeps.list();
    }

    /** Each SSE message is {@code {"topic": ..., "json": ...}} with the event as published on Kafka. */
    @Operation(summary = "Server-sent events: training metrics, evaluations and gate decisions as published")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<DashboardState.FeedEvent> events() {
        return dashboard.live();
    }
}
