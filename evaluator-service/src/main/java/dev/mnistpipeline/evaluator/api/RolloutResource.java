package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Callers;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.evaluator.domain.Rollouts;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

import java.util.List;

/**
 * Canary and shadow rollouts of a challenger version against its registered model's champion: start one, watch the
 * live comparison, promote or abort it (or let its policy decide).
 */
@Path("/rollouts")
@Produces(MediaType.APPLICATION_JSON)
public class RolloutResource {
    private final Rollouts rollouts;

    public RolloutResource(Rollouts rollouts) {
        this.rollouts = rollouts;
    }

    /** The current or last rollout of a name, and every earlier one. */
    public record RolloutHistory(Rollout latest, List<Rollout> history) {
    }

    @Operation(summary = "Start a canary (a share of the champion's traffic) or shadow (a copy of it) rollout of a challenger")
    @APIResponseSchema(value = Rollout.class, responseCode = "201")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(Rollouts.Start request, @Context SecurityContext caller) {
        if (request == null || request.registeredModel() == null || request.challengerModelId() == null) {
            throw new IllegalArgumentException("give the registered model and the challenger: {\"registeredModel\": \"mnist\", "
                    + "\"challengerModelId\": \"model-...\", \"mode\": \"canary\", \"share\": 0.1, \"reason\": \"...\"}");
        }
        String reason = new ModelResource.ChangeRequest(request.reason()).checkedReason();
        Rollouts.Start checked = new Rollouts.Start(request.registeredModel(), request.challengerModelId(), request.mode(),
                request.share(), request.policy(), reason);
        return Response.status(Response.Status.CREATED).entity(rollouts.start(checked, Callers.name(caller))).build();
    }

    @Operation(summary = "The running rollouts, each with what this replica compared so far")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<Rollout> running() {
        return rollouts.running();
    }

    @Operation(summary = "A registered model's current or last rollout, and its earlier ones")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{name}")
    public RolloutHistory get(@PathParam("name") String name) {
        String model = Ids.registeredModel(name);
        Rollout latest = rollouts.latest(model).orElseThrow(() -> new NotFoundException("no rollout of " + model + " yet"));
        return new RolloutHistory(latest, rollouts.history(model));
    }

    @Operation(summary = "End a running rollout: the challenger becomes the champion, with a reason")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{name}/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    public Rollout promote(@PathParam("name") String name, ModelResource.ChangeRequest request, @Context SecurityContext caller) {
        return rollouts.promote(Ids.registeredModel(name), Callers.name(caller), reason(request));
    }

    @Operation(summary = "End a running rollout: the champion keeps all the traffic, with a reason")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{name}/abort")
    @Consumes(MediaType.APPLICATION_JSON)
    public Rollout abort(@PathParam("name") String name, ModelResource.ChangeRequest request, @Context SecurityContext caller) {
        return rollouts.abort(Ids.registeredModel(name), Callers.name(caller), reason(request));
    }

    private static String reason(ModelResource.ChangeRequest request) {
        return (request == null ? new ModelResource.ChangeRequest(null) : request).checkedReason();
    }
}
