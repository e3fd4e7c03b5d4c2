package dev.mnistpipeline.common.storage;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.InvalidDataException;

/**
 * Object storage could not be reached, timed out, or refused (after the store's own short retries): an outage.
 * A missing object or a checksum mismatch is not this but {@link InvalidDataException}: retrying does not help.
 */
public class StorageException extends DependencyUnavailableException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
