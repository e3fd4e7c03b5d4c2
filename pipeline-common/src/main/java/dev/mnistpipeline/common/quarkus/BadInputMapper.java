package dev.mnistpipeline.common.quarkus;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/** Bad input over REST ({@code IllegalArgumentException}, including {@code InvalidDataException}) answers 400 with the reason as JSON: {@code {"error": "..."}}. */
@Provider
public class BadInputMapper implements ExceptionMapper<IllegalArgumentException> {
    @Override
    public Response toResponse(IllegalArgumentException e) {
        return error(Response.Status.BAD_REQUEST, e.getMessage());
    }

    /** The pipeline's error body: {@code {"error": reason}} with the given status. */
    public static Response error(Response.Status status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", String.valueOf(reason))).build();
    }
}
