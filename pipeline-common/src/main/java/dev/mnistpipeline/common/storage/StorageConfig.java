package dev.mnistpipeline.common.storage;

/** Where the pipeline bucket lives. Credentials come from config or env, never from the repository. */
public record StorageConfig(String endpoint, String accessKey, String secretKey, String bucket) {
    /** The bucket every service uses unless {@code pipeline.storage.bucket} says otherwise. */
    public static final String DEFAULT_BUCKET = "mnist-pipeline";
}
