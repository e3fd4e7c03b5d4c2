package dev.mnistpipeline.common.quarkus;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A missing dataset, run, model or evaluation answers 404 with the reason as JSON: {@code {"error": "..."}}. */
@Provider
public class NotFoundMapper implements ExceptionMapper<NotFoundException> {
    @Override
    public Response toResponse(NotFoundException e) {
        return BadInputMapper.error(Response.Status.NOT_FOUND, e.getMessage());
    }
}
