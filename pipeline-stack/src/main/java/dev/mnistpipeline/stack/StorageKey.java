package dev.mnistpipeline.stack;

import java.util.Map;
import java.util.stream.Collectors;

/** An S3 access key and its secret. Never print the secret. */
public record StorageKey(String accessKey, String secretKey) {
    public static StorageKey generate() {
        return new StorageKey(LocalInfrastructure.randomKey(10), LocalInfrastructure.randomKey(20));
    }

    /** {@code S3_SERVICE_KEYS} for {@code keys}, as LocalS3 reads it: {@code principal=access:secret;...}. */
    public static String serviceKeysEnv(Map<String, StorageKey> keys) {
        return keys.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().accessKey() + ":" + e.getValue().secretKey())
                .collect(Collectors.joining(";"));
    }

    @Override
    public String toString() {
        return "StorageKey[" + accessKey + "]";
    }
}
