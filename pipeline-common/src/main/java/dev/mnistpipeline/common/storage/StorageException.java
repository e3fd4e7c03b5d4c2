package dev.mnistpipeline.common.storage;

/** A storage operation failed after retries, or an object did not match its expected checksum. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
