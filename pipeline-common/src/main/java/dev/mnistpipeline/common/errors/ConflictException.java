package dev.mnistpipeline.common.errors;

/** The request is well-formed but the current state does not allow it (REST: 409 with the reason). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
