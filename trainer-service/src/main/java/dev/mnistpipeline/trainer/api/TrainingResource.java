package dev.mnistpipeline.trainer.api;

import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.trainer.domain.ModelTrainer;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Instant;
import java.util.UUID;

/** Request training runs over REST; the request goes through Kafka like any other, so it survives restarts. */
@Path("/trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {

    /** All fields optional: runId (idempotency key), preparedId (default: latest), hyperparameters. */
    public record TrainingRequest(String runId, String preparedId, Hyperparameters hyperparameters) {
    }

    public record TrainingAccepted(String runId, String modelId, Hyperparameters hyperparameters) {
    }

    public record TrainingStatus(String runId, String state, TrainingMetrics lastMetrics, ModelManifest model) {
    }

    @Inject
    EventPublisher publisher;

    @Inject
    ObjectStore store;

    @Inject
    ModelTrainer trainer;

    @Inject
    @Channel(Topics.Channels.TRAINING_REQUESTED_OUT)
    MutinyEmitter<String> trainingRequested;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response request(TrainingRequest body) {
        TrainingRequest req = body == null ? new TrainingRequest(null, null, null) : body;
        Hyperparameters hp = TrainingRules.validate(req.hyperparameters());
        String runId = req.runId() != null ? req.runId() : "run-" + UUID.randomUUID().toString().substring(0, 8);
        publisher.publishOnce(trainingRequested, new TrainingRequested(EventTypes.SCHEMA_VERSION, runId, req.preparedId(), hp, Instant.now()));
        return Response.accepted(new TrainingAccepted(runId, ModelTrainer.modelId(runId), hp)).build();
    }

    @GET
    @Path("/{runId}")
    public TrainingStatus status(@PathParam("runId") String runId) {
        ModelManifest model = store.findJson(ObjectKeys.modelManifest(ModelTrainer.modelId(runId)), ModelManifest.class).orElse(null);
        TrainingMetrics last = trainer.progress(runId);
        if (model == null && last == null) {
            throw new NotFoundException("no run " + runId + " known to this trainer");
        }
        String state = model != null ? "completed" : last.phase().equals("failed") ? "failed" : "running";
        return new TrainingStatus(runId, state, last, model);
    }
}
