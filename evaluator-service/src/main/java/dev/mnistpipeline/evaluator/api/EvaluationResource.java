package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.evaluator.domain.Galleries;
import dev.mnistpipeline.evaluator.domain.ModelEvaluator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** Evaluation reports: accuracy, per-class P/R/F1, confusion matrix, calibration, misclassified gallery. */
@Path("/evaluations")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {

    private final ModelEvaluator evaluator;
    private final Galleries galleries;

    public EvaluationResource(ModelEvaluator evaluator, Galleries galleries) {
        this.evaluator = evaluator;
        this.galleries = galleries;
    }

    @Operation(summary = "Evaluation ids")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<String> list() {
        return evaluator.list();
    }

    @Operation(summary = "A misclassified test image of an evaluation, as a PNG")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}/gallery/{index}.png")
    @Produces("image/png")
    public byte[] galleryImage(@PathParam("id") String id, @PathParam("index") int index) {
        return galleries.image(Ids.evaluationId(id), index)
                .orElseThrow(() -> new NotFoundException("no gallery image " + index + " in evaluation " + id));
    }

    @Operation(summary = "An evaluation report: accuracy, per-class P/R/F1, confusion matrix, errors")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public EvaluationReport get(@PathParam("id") String id) {
        return evaluator.find(Ids.evaluationId(id)).orElseThrow(() -> new NotFoundException("no evaluation " + id));
    }
}
