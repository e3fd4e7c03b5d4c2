package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.quarkus.Callers;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.evaluator.domain.GateSuite;
import dev.mnistpipeline.evaluator.domain.GateSuites;
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
 * Gate suites: the held-out test sets of new domains that the promotion gate checks besides each candidate's own
 * test set (see {@link GateSuite}). Register one with the id of a dataset version holding the domain's test images.
 */
@Path("/gate/suites")
@Produces(MediaType.APPLICATION_JSON)
public class GateSuiteResource {
    private final GateSuites suites;

    public GateSuiteResource(GateSuites suites) {
        this.suites = suites;
    }

    /**
     * @param minGain        accuracy a candidate must gain over the champion on the suite (default 0.01)
     * @param maxPrimaryDrop accuracy a candidate may lose on its own test set while suites are registered (default 0.003)
     * @param registeredModel whose candidates the suite gates (default {@code mnist})
     */
    public record SuiteRequest(String datasetId, Double minGain, Double maxPrimaryDrop, String registeredModel) {
    }

    @Operation(summary = "The registered gate suites")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<GateSuite> list() {
        return suites.all();
    }

    @Operation(summary = "Register or replace a gate suite: a dataset version's test images the gate also checks")
    @RolesAllowed(Roles.OPERATOR)
    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public GateSuite register(@PathParam("name") String name, SuiteRequest request, @Context SecurityContext caller) {
        if (request == null || request.datasetId() == null || request.datasetId().isBlank()) {
            throw new IllegalArgumentException("give the dataset version whose test images form the suite: {\"datasetId\": \"ds-...\", "
                    + "\"minGain\": 0.01, \"maxPrimaryDrop\": 0.003}");
        }
        return suites.register(name, request.registeredModel(), request.datasetId(), request.minGain() == null ? 0.01 : request.minGain(),
                request.maxPrimaryDrop() == null ? 0.003 : request.maxPrimaryDrop(),
                Callers.name(caller));
    }

    @Operation(summary = "Remove a gate suite; answers the suite removed")
    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    @Path("/{name}")
    public GateSuite remove(@PathParam("name") String name) {
        return suites.remove(name).orElseThrow(() -> new NotFoundException("no gate suite " + name));
    }
}
