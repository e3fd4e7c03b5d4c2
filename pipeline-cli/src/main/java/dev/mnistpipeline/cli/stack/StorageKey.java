package dev.mnistpipeline.cli.stack;

/** An S3 access key and its secret. Never print the secret. */
public record StorageKey(String accessKey, String secretKey) {
    public static StorageKey generate() {
        return new StorageKey(LocalInfrastructure.randomKey(10), LocalInfrastructure.randomKey(20));
    }

    @Override
    public String toString() {
        return "StorageKey[" + accessKey + "]";
    }
}
