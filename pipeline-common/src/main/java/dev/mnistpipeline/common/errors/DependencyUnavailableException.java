package dev.mnistpipeline.common.errors;

/**
 * An outage, not bad input: object storage or the broker could not be reached, timed out, or answered with a
 * server error. Consumers retry the record until the dependency is back ({@link Outages}); REST answers 503 with
 * {@code Retry-After}. Never a reason to dead-letter or drop anything.
 */
public class DependencyUnavailableException extends RuntimeException {
    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public DependencyUnavailableException(String message) {
        super(message);
    }
}
