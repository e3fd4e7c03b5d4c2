package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.evaluator.domain.PredictionService.Prediction;
import dev.mnistpipeline.evaluator.domain.PredictionService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import dev.mnistpipeline.common.events.Ids;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.IOException;
import java.nio.file.Files;

/**
 * {@code POST /predict}: the top classes for one digit, from the champion of a registered model
 * ({@code ?model=}, default {@code mnist}) or a version or alias of it ({@code ?version=}). The body is a PNG or JPEG of any size (it is
 * preprocessed the MNIST way) or 784 raw bytes; a multipart form with an {@code image} part works too.
 * Limits answer 413 (upload size) or 400 (image side, not an image, blank), with the reason as JSON.
 */
@Path("/predict")
@Produces(MediaType.APPLICATION_JSON)
public class PredictionResource {

    private final PredictionService predictions;

    public PredictionResource(PredictionService predictions) {
        this.predictions = predictions;
    }

    @Operation(summary = "The top classes for an image sent as the body, from a registered model's champion "
            + "(?model=, default mnist) or a version or alias of it (?version=)")
    @RolesAllowed(Roles.PREDICTOR)
    @POST
    @Consumes({"image/png", "image/jpeg", MediaType.APPLICATION_OCTET_STREAM})
    public Prediction predict(@QueryParam("model") String model, @QueryParam("version") String version, byte[] body) {
        return predictions.predict(target(model, version), body);
    }

    @Operation(summary = "The top classes for an image sent as a multipart part (?model=, ?version= as for the body)")
    @RolesAllowed(Roles.PREDICTOR)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Prediction predictUpload(@QueryParam("model") String model, @QueryParam("version") String version,
                                    @RestForm("image") FileUpload image) throws IOException {
        if (image == null) {
            throw new IllegalArgumentException("multipart form needs an 'image' part");
        }
        return predictions.predict(target(model, version), Files.readAllBytes(image.uploadedFile()));
    }

    /** Checked here, so that a bad name or version is refused before the body is read. */
    private static PredictionService.Target target(String model, String version) {
        if (version != null && !Ids.isModelId(version)) {
            Ids.alias(version);
        }
        return new PredictionService.Target(Ids.optionalRegisteredModel(model), version);
    }
}
