package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Callers;
import dev.mnistpipeline.common.quarkus.ErrorResponses;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.evaluator.domain.RunHistory;
import dev.mnistpipeline.evaluator.domain.RunIndex;
import dev.mnistpipeline.evaluator.domain.RunQuery;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

/**
 * Run history, as experiment trackers have it: every run the trainer accepted or refused, kept until deleted, listed
 * from an index ({@link RunIndex}) with filters, sorting by any final figure and pages; one run's whole record with
 * its curves; tags and a note; deletion.
 */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunsResource {
    private final RunHistory history;

    public RunsResource(RunHistory history) {
        this.history = history;
    }

    @Operation(summary = "Runs, filtered (q, dataset, architecture, state, tag, sweep, from, to), sorted (createdAt, "
            + "updatedAt, runId or any final figure; asc or desc) and paged (offset, limit up to 500)")
    @APIResponseSchema(RunQuery.Page.class)
    @RolesAllowed(Roles.VIEWER)
    @GET
    public Response list(@QueryParam("q") String text, @QueryParam("dataset") String dataset,
                         @QueryParam("architecture") String architecture, @QueryParam("state") String state,
                         @QueryParam("tag") String tag, @QueryParam("sweep") String sweep,
                         @QueryParam("from") String from, @QueryParam("to") String to,
                         @QueryParam("sort") String sort, @QueryParam("order") String order,
                         @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        RunIndex index = history.index();
        RunQuery query = RunQuery.parse(text, dataset, architecture, state, tag, sweep, from, to, sort, order, offset,
                limit, index.figures());
        if (!index.ready()) {
            // An answer, not a wait: the page retries; the index is read from storage once per start.
            return Response.fromResponse(ErrorResponses.error(Response.Status.SERVICE_UNAVAILABLE,
                    "the run index is loading (" + index.progress() + " records read)")).header("Retry-After", "1").build();
        }
        return Response.ok(index.query(query)).build();
    }

    @Operation(summary = "One run's whole record: settings, origin, state history, curves, figures, model and evaluation, tags and note")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{runId}")
    public RunRecord get(@PathParam("runId") String runId) {
        return history.find(Ids.runId(runId)).orElseThrow(() -> new NotFoundException("no run " + runId));
    }

    @Operation(summary = "Set a run's tags (replace with tags, or addTags/removeTags) and note; a blank note removes it")
    @RolesAllowed(Roles.OPERATOR)
    @PATCH
    @Path("/{runId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public RunRecord annotate(@PathParam("runId") String runId, RunHistory.Annotation change, @Context SecurityContext caller) {
        return history.annotate(Ids.runId(runId), change, Callers.name(caller))
                .orElseThrow(() -> new NotFoundException("no run " + runId));
    }

    @Operation(summary = "Delete a run's record (not its model, evaluation or registry entries); a promoted model's run is kept (409)")
    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    @Path("/{runId}")
    public Response delete(@PathParam("runId") String runId) {
        if (!history.delete(Ids.runId(runId))) {
            throw new NotFoundException("no run " + runId);
        }
        return Response.noContent().build();
    }
}
