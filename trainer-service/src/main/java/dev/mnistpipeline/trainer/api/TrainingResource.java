package dev.mnistpipeline.trainer.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.trainer.domain.AcceptedRun;
import dev.mnistpipeline.trainer.domain.TrainingProgress;
import dev.mnistpipeline.trainer.domain.TrainingRequests;
import dev.mnistpipeline.trainer.domain.TrainingRules;
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

/** Request training runs over REST; the request goes through Kafka like any other, so it survives restarts. */
@Path("/trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {

    /**
     * All fields optional: runId (idempotency key), preparedId (default: the latest, resolved now), hyperparameters
     * (read as JSON so that every problem, wrong types and unknown names included, is answered at once).
     */
    public record TrainingRequest(String runId, String preparedId, JsonNode hyperparameters) {
    }

    public record TrainingAccepted(String runId, String modelId, String preparedId, Hyperparameters hyperparameters) {
    }

    public record TrainingStatus(String runId, String state, TrainingMetrics lastMetrics, ModelManifest model) {
    }

    private final TrainingRequests requests;
    private final TrainingProgress progress;
    private final ObjectStore store;

    public TrainingResource(TrainingRequests requests, TrainingProgress progress, ObjectStore store) {
        this.requests = requests;
        this.progress = progress;
        this.store = store;
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response request(TrainingRequest body) {
        TrainingRequest req = body == null ? new TrainingRequest(null, null, null) : body;
        AcceptedRun run = requests.submit(req.runId(), req.preparedId(), null, TrainingRules.parse(req.hyperparameters()));
        return Response.accepted(new TrainingAccepted(run.runId(), run.modelId(), run.preparedId(), run.hyperparameters())).build();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{runId}")
    public TrainingStatus status(@PathParam("runId") String runId) {
        Ids.runId(runId);
        ModelManifest model = store.findJson(ObjectKeys.modelManifest(ObjectKeys.modelId(runId)), ModelManifest.class).orElse(null);
        TrainingMetrics last = progress.last(runId);
        if (model == null && last == null) {
            throw new NotFoundException("no run " + runId + " known to this trainer");
        }
        String state = model != null ? "completed" : last.phase().equals("failed") ? "failed" : "running";
        return new TrainingStatus(runId, state, last, model);
    }
}
