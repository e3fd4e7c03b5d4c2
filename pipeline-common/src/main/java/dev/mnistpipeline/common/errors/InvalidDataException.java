package dev.mnistpipeline.common.errors;

/** Input data that breaks the format's rules. The message says which rule, and where. */
public class InvalidDataException extends IllegalArgumentException {
    public InvalidDataException(String message) {
        super(message);
    }

    public InvalidDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
