package dev.mnistpipeline.common.quarkus;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.Outages;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Every REST error of every service is JSON, {@code {"error": reason}}, never an HTML page or an empty body:
 * bad input 400, no or a bad credential 401, a role too low 403, unknown ids 404, an outage of storage or the broker 503 with {@code Retry-After}, anything
 * unexpected 500 with an {@code errorId} that the service's log carries with the stack trace.
 */
public class ErrorResponses {
    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);
    /** What a 503 tells clients to wait, in seconds: about one of the handlers' longest retry intervals. */
    static final long RETRY_AFTER_SECONDS = Math.max(1, Outages.MAX_DELAY_MS / 1000);

    /** The pipeline's error body: {@code {"error": reason}} with the given status. */
    public static Response error(Response.Status status, String reason) {
        return error(status.getStatusCode(), Map.of("error", String.valueOf(reason)));
    }

    private static Response error(int status, Map<String, ?> body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    /** No credential, or one that is not valid: 401 with the reason and the scheme to use. */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e) {
        String reason = e instanceof AuthenticationFailedException && e.getMessage() != null ? e.getMessage()
                : "authentication required: send 'Authorization: Bearer <token>'";
        return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                .header("WWW-Authenticate", "Bearer realm=\"mnist-pipeline\"")
                .entity(Map.of("error", reason)).build();
    }

    /** A valid credential whose role is below what the endpoint needs. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return error(Response.Status.FORBIDDEN, "this endpoint needs a role your token does not have (roles: "
                + String.join(" < ", Roles.ALL) + ")");
    }

    @ServerExceptionMapper
    public Response badInput(IllegalArgumentException e) {
        return error(Response.Status.BAD_REQUEST, e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return error(Response.Status.BAD_REQUEST, "malformed JSON body: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return error(Response.Status.CONFLICT, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(Response.Status.NOT_FOUND, e.getMessage());
    }

    @ServerExceptionMapper
    public Response outage(DependencyUnavailableException e) {
        LOG.warnf("Answering 503: %s", e.getMessage());
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON)
                .header("Retry-After", RETRY_AFTER_SECONDS)
                .entity(Map.of("error", "temporarily unavailable: " + e.getMessage(), "retryAfterSeconds", RETRY_AFTER_SECONDS))
                .build();
    }

    /** 405, 406, 415 and the like keep their status, with a JSON reason. */
    @ServerExceptionMapper
    public Response framework(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        return error(status, Map.of("error", String.valueOf(e.getMessage())));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (Outages.isOutage(e)) {
            return outage(new DependencyUnavailableException(e.getMessage(), e));
        }
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s", errorId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "internal error; the service log has the details under this errorId");
        body.put("errorId", errorId);
        return error(500, body);
    }
}
