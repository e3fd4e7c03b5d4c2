package dev.mnistpipeline.common.errors;

/**
 * A dependency answered, and the answer will not change until someone fixes the configuration: access denied, an
 * unknown access key, a missing bucket, a topic this service may not write, a record too large for our own topic.
 * Not the record's fault, so it is never dead-lettered; like an outage it is retried, but it is loud: readiness
 * names it, {@code pipeline_permanent_faults} counts it, and REST answers 503 with the reason.
 */
public class PermanentFaultException extends DependencyUnavailableException {
    public PermanentFaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
