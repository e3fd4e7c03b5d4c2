package dev.mnistpipeline.trainer.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.quarkus.ErrorResponses;
import dev.mnistpipeline.common.quarkus.Callers;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.trainer.domain.AcceptedRun;
import dev.mnistpipeline.trainer.domain.RunCancellations;
import dev.mnistpipeline.trainer.domain.RunStates;
import dev.mnistpipeline.trainer.domain.TrainingProgress;
import dev.mnistpipeline.trainer.domain.TrainingRequests;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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

import java.util.Optional;
import java.io.UncheckedIOException;

/** Request training runs over REST; the request goes through Kafka like any other, so it survives restarts. */
@Path("/trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {

    /**
     * All fields optional: runId (idempotency key), preparedId (default: the latest, resolved now), hyperparameters
     * (read as JSON so that every problem, wrong types and unknown names included, is answered at once),
     * registeredModel (default: the dataset's name).
     */
    public record TrainingRequest(String runId, String preparedId, JsonNode hyperparameters, String registeredModel) {
    }

    public record TrainingAccepted(String runId, String modelId, String preparedId, Hyperparameters hyperparameters) {
    }

    /**
     * @param state  queued, waiting, training, completed, failed or cancelled
     * @param reason why it waits, failed or was cancelled; null otherwise
     */
    public record TrainingStatus(String runId, String state, String reason, TrainingMetrics lastMetrics, ModelManifest model) {
    }

    private final TrainingRequests requests;
    private final TrainingProgress progress;
    private final ObjectStore store;
    private final RunCancellations cancellations;
    private final RunStates states;

    public TrainingResource(TrainingRequests requests, TrainingProgress progress, ObjectStore store, RunCancellations cancellations,
                            RunStates states) {
        this.states = states;
        this.requests = requests;
        this.progress = progress;
        this.store = store;
        this.cancellations = cancellations;
    }

    @Operation(summary = "Request a training run; it is queued on training.requested")
    @APIResponseSchema(value = TrainingAccepted.class, responseCode = "202")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response request(TrainingRequest body, @Context SecurityContext caller) {
        TrainingRequest req = body == null ? new TrainingRequest(null, null, null, null) : body;
        AcceptedRun run = requests.submit(new TrainingRequested(req.runId(), req.preparedId(), null,
                TrainingRules.parse(req.hyperparameters()), null, Ids.optionalRegisteredModel(req.registeredModel())),
                RunRecord.Origin.rest(Callers.name(caller)));
        return Response.accepted(new TrainingAccepted(run.runId(), run.modelId(), run.preparedId(), run.hyperparameters())).build();
    }

    @Operation(summary = "A run: its state (queued, waiting and why, training, completed, failed, cancelled), latest metrics and, once done, its model")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{runId}")
    public TrainingStatus status(@PathParam("runId") String runId) {
        Ids.runId(runId);
        ModelManifest model = store.findJson(ObjectKeys.modelManifest(ObjectKeys.modelId(runId)), ModelManifest.class).orElse(null);
        TrainingMetrics last = progress.last(runId);
        Optional<RunStates.RunState> stored = states.find(runId);
        if (model != null) {
            return new TrainingStatus(runId, RunStates.COMPLETED, null, last, model);
        }
        if (last != null && (stored.isEmpty() || !stored.get().since().isAfter(last.time()))) {
            // This replica trains or trained it, and nothing newer is stored: its own progress is the freshest word.
            String state = Optional.ofNullable(RunStates.ofPhase(last.phase())).orElse(RunStates.TRAINING);
            return new TrainingStatus(runId, state, state.equals(RunStates.TRAINING) ? null : last.message(), last, null);
        }
        RunStates.RunState s = stored.orElseThrow(() -> new NotFoundException("no run " + runId));
        return new TrainingStatus(runId, s.state(), s.reason(), last, null);
    }

    /**
     * Stops a run at its next step, on whichever trainer owns it, or keeps a queued one from starting; it ends
     * without a model and with a {@code cancelled} report. The body is optional: {@code {"reason": "..."}}, recorded
     * with who asked and when. A finished run answers 409.
     */
    @Operation(summary = "Cancel a run at its next step, recording who and why")
    @APIResponseSchema(value = RunCancellations.Cancellation.class, responseCode = "202")
    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    @Path("/{runId}")
    @Consumes(MediaType.WILDCARD)
    public Response cancel(@PathParam("runId") String runId, String body, @Context SecurityContext caller) {
        Ids.runId(runId);
        String reason = reason(body);
        if (store.exists(ObjectKeys.modelManifest(ObjectKeys.modelId(runId)))) {
            return ErrorResponses.error(Response.Status.CONFLICT, "run " + runId + " has finished; its model stays (nothing to cancel)");
        }
        if (states.find(runId).isEmpty() && progress.last(runId) == null) {
            throw new NotFoundException("no run " + runId + ": nothing to cancel");
        }
        RunCancellations.Cancellation c = cancellations.cancel(runId, reason,
                Callers.name(caller));
        return Response.accepted(c).build();
    }

    private static String reason(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return Json.tree(body).path("reason").asText(null);
        } catch (UncheckedIOException e) {
            throw new InvalidDataException("the body, when given, must be JSON: {\"reason\": \"...\"}");
        }
    }
}
