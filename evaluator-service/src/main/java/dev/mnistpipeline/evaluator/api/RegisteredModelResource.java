package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Callers;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.registry.ModelAlias;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.evaluator.domain.ModelRegistry;
import dev.mnistpipeline.evaluator.domain.Rollouts;
import dev.mnistpipeline.evaluator.model.ServedModels;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/**
 * Registered models by name, as MLflow has them: each name's champion, its other aliases ({@code staging},
 * {@code canary}, ...), gate thresholds, history, and which version this replica serves. A version joins the name
 * its training request gave, or its dataset's name.
 */
@Path("/registered-models")
@Produces(MediaType.APPLICATION_JSON)
public class RegisteredModelResource {
    private final ModelRegistry registry;
    private final ServedModels served;
    private final Rollouts rollouts;

    public RegisteredModelResource(ModelRegistry registry, ServedModels served, Rollouts rollouts) {
        this.registry = registry;
        this.served = served;
        this.rollouts = rollouts;
    }

    /** One row of {@code GET /registered-models}. */
    public record RegisteredModel(String name, ChampionAlias champion, List<ModelAlias> aliases) {
    }

    /**
     * @param serving the champion this replica serves for the name (null when it has not served it yet)
     * @param rollout the running or last rollout, with what this replica compared
     * @param history every change of the champion, newest first
     */
    public record RegisteredModelDetail(String name, ChampionAlias champion, List<ModelAlias> aliases, GateThresholds thresholds,
                                        String serving, Rollout rollout, List<ChampionChange> history) {
    }

    /** Body of {@code PUT /registered-models/{name}/aliases/{alias}}. */
    public record AliasRequest(String modelId, String reason) {
    }

    @Operation(summary = "Every registered model with its champion and aliases")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<RegisteredModel> list() {
        return registry.names().stream()
                .map(name -> new RegisteredModel(name, registry.champion(name).orElse(null), registry.aliases(name))).toList();
    }

    @Operation(summary = "One registered model: champion, aliases, gate thresholds, the version served here, history")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{name}")
    public RegisteredModelDetail get(@PathParam("name") String name) {
        String model = known(name);
        return new RegisteredModelDetail(model, registry.champion(model).orElse(null), registry.aliases(model),
                registry.thresholds(model), served.champion(model).orElse(null), rollouts.latest(model).orElse(null),
                registry.history(model));
    }

    @Operation(summary = "Point an alias (not champion) of a registered model at one of its versions, with a reason")
    @RolesAllowed(Roles.OPERATOR)
    @PUT
    @Path("/{name}/aliases/{alias}")
    @Consumes(MediaType.APPLICATION_JSON)
    public ModelAlias setAlias(@PathParam("name") String name, @PathParam("alias") String alias, AliasRequest request,
                               @Context SecurityContext caller) {
        if (request == null || request.modelId() == null) {
            throw new IllegalArgumentException("give the version: {\"modelId\": \"model-...\", \"reason\": \"...\"}");
        }
        String reason = new ModelResource.ChangeRequest(request.reason()).checkedReason();
        return registry.setAlias(Ids.registeredModel(name), Ids.alias(alias), Ids.modelId(request.modelId()),
                Callers.name(caller), reason);
    }

    @Operation(summary = "Remove an alias (not champion) of a registered model; answers the alias removed")
    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    @Path("/{name}/aliases/{alias}")
    public ModelAlias removeAlias(@PathParam("name") String name, @PathParam("alias") String alias) {
        String model = Ids.registeredModel(name);
        return registry.removeAlias(model, Ids.alias(alias))
                .orElseThrow(() -> new NotFoundException(model + " has no alias " + alias));
    }

    private String known(String name) {
        String model = Ids.registeredModel(name);
        if (!registry.names().contains(model)) {
            throw new NotFoundException("no registered model " + model + ": none of its versions has been promoted or "
                    + "given an alias yet");
        }
        return model;
    }
}
