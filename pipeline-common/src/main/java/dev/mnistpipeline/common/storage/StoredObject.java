package dev.mnistpipeline.common.storage;

/** An object written to the store, with the SHA-256 of its bytes as computed on write. */
public record StoredObject(String key, String sha256, long size) {
}
