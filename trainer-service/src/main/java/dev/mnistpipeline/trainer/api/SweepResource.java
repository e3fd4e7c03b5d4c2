package dev.mnistpipeline.trainer.api;

import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.sweeps.Sweep;
import dev.mnistpipeline.common.sweeps.SweepRecords;
import dev.mnistpipeline.trainer.domain.Sweeps;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

import java.util.List;

/**
 * Hyperparameter sweeps: a search space over any hyperparameters, grid or random, a trial budget, at most N trials
 * at once, median early stopping; each trial is a normal run, and the best is gated when the sweep ends.
 */
@Path("/sweeps")
@Produces(MediaType.APPLICATION_JSON)
public class SweepResource {
    private final Sweeps sweeps;

    public SweepResource(Sweeps sweeps) {
        this.sweeps = sweeps;
    }

    @Operation(summary = "Start a sweep: its trials are planned now and run as training requests, parallelism at a time")
    @APIResponseSchema(value = Sweep.class, responseCode = "201")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(Sweeps.Request request) {
        if (request == null) {
            throw new IllegalArgumentException("body required: {\"space\": {\"learningRate\": [0.01, 0.001]}, \"hyperparameters\": {...}}");
        }
        return Response.status(Response.Status.CREATED).entity(sweeps.create(request)).build();
    }

    @Operation(summary = "Every sweep with its trials' states")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<SweepRecords.View> list() {
        return sweeps.list();
    }

    @Operation(summary = "One sweep: its plan, each trial's per-epoch validation accuracy and end, and the gate's verdict on its best")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public SweepRecords.View get(@PathParam("id") String id) {
        return sweeps.find(id).orElseThrow(() -> new NotFoundException("no sweep " + id));
    }
}
