package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.quarkus.ErrorResponses;
import dev.mnistpipeline.evaluator.domain.PredictionService;
import dev.mnistpipeline.evaluator.model.ServedModels;
import dev.mnistpipeline.evaluator.model.PredictionBatcher;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** What a prediction that cannot be served answers, on /predict and on the inference protocol alike: JSON with why. */
public class ServingErrors {

    @ServerExceptionMapper
    public Response tooLarge(PredictionService.TooLargeException e) {
        return ErrorResponses.error(Response.Status.REQUEST_ENTITY_TOO_LARGE, e.getMessage());
    }

    @ServerExceptionMapper
    public Response noChampion(ServedModels.NoChampionException e) {
        return ErrorResponses.error(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unknownVersion(ServedModels.UnknownVersionException e) {
        return ErrorResponses.error(Response.Status.NOT_FOUND, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notServed(PredictionBatcher.NotServedException e) {
        return ErrorResponses.error(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
    }
}
