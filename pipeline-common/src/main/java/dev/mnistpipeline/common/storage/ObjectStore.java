package dev.mnistpipeline.common.storage;

import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.errors.PermanentFaultException;
import dev.mnistpipeline.common.json.Json;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import okhttp3.OkHttpClient;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.function.Supplier;

/**
 * The pipeline bucket, spoken to through the MinIO SDK (MinIO in Kubernetes, S3Proxy locally).
 * Every call retries transient failures; "not found" is an answer, not an error.
 */
public final class ObjectStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ObjectStore.class);
    private static final int ATTEMPTS = 4;
    /** Answers that no retry will change until an operator fixes the configuration. */
    private static final Set<String> PERMANENT_CODES = Set.of("AccessDenied", "NoSuchBucket",
            "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled", "AccountProblem", "InvalidBucketName");
    /** How long readiness keeps reporting a permanent fault after it was last seen. */
    private static final Duration FAULT_MEMORY = Duration.ofMinutes(2);
    /** How long a bucket probe vouches for the bucket: a 404 to a HEAD cannot tell a missing object from a missing bucket. */
    private static final Duration BUCKET_PROBE_VALID = Duration.ofSeconds(10);

    private volatile String lastPermanentFault;
    private volatile Instant lastPermanentFaultAt = Instant.MIN;
    private volatile Instant lastPermanentFaultLoggedAt = Instant.MIN;
    private volatile Instant bucketSeenAt = Instant.MIN;

    private final MinioClient client;
    private final OkHttpClient http;
    private final String bucket;
    private final String endpoint;

    public ObjectStore(StorageConfig config) {
        this.endpoint = config.endpoint();
        // Our own OkHttp client so close() can stop its non-daemon threads.
        this.http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofMinutes(5))
                .writeTimeout(Duration.ofMinutes(5))
                .build();
        this.client = MinioClient.builder()
                .endpoint(config.endpoint())
                .credentials(config.accessKey(), config.secretKey())
                .region("us-east-1")
                .httpClient(http)
                .build();
        this.bucket = config.bucket();
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket if it does not exist yet. */
    public void ensureBucket() {
        retry("ensure bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                } catch (ErrorResponseException e) {
                    // Several services start at once; one of them wins the race to create it.
                    String code = e.errorResponse().code();
                    if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    public StoredObject put(String key, byte[] data, String contentType) {
        String sha = Sha256.hex(data);
        retry("put " + key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1)
                .contentType(contentType)
                .userMetadata(Map.of("sha256", sha))
                .build()));
        return new StoredObject(key, sha, data.length);
    }

    public StoredObject putFile(String key, Path file) {
        String sha = Sha256.hex(file);
        retry("upload " + key, () -> client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key)
                .filename(file.toString()).userMetadata(Map.of("sha256", sha)).build()));
        try {
            return new StoredObject(key, sha, Files.size(file));
        } catch (IOException e) {
            throw new StorageException("Cannot size " + file, e);
        }
    }

    public StoredObject putText(String key, String text) {
        return put(key, text.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    public StoredObject putJson(String key, Object value) {
        return put(key, Json.writeBytes(value), "application/json");
    }

    /** An object's content with the ETag it had when read, for {@link #putIfUnchanged}. */
    public record Versioned(byte[] data, String etag) {
    }

    /** Reads an object together with its ETag; empty if it does not exist. */
    public Optional<Versioned> findVersioned(String key) {
        return retry("get " + key, () -> {
            try (GetObjectResponse in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return Optional.of(new Versioned(in.readAllBytes(), in.headers().get("ETag")));
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return Optional.<Versioned>empty();
                }
                throw e;
            }
        });
    }

    /**
     * Compare-and-swap: writes only if the object still has {@code expectedEtag}, or, when it is null, does not
     * exist yet (S3 conditional writes, {@code If-Match} / {@code If-None-Match: *}). Returns false when another
     * writer got there first; the caller re-reads and decides again.
     */
    public boolean putIfUnchanged(String key, byte[] data, String contentType, String expectedEtag) {
        return putIfUnchangedTagged(key, data, contentType, expectedEtag).isPresent();
    }

    /** {@link #putIfUnchanged}, answering the new ETag when it wrote (saves the read-back a next swap needs). */
    public Optional<String> putIfUnchangedTagged(String key, byte[] data, String contentType, String expectedEtag) {
        Map<String, String> condition = expectedEtag == null ? Map.of("If-None-Match", "*") : Map.of("If-Match", expectedEtag);
        try {
            return Optional.of(plainEtag(retry("conditional put " + key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(data), data.length, -1)
                    .contentType(contentType)
                    .headers(condition)
                    .userMetadata(Map.of("sha256", Sha256.hex(data)))
                    .build())).etag()));
        } catch (StorageException e) {
            if (e.getCause() instanceof ErrorResponseException r && isConflict(r)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Reads a whole object; empty if it does not exist. */
    public Optional<byte[]> find(String key) {
        return retry("get " + key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return Optional.of(in.readAllBytes());
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return Optional.<byte[]>empty();
                }
                throw e;
            }
        });
    }

    public byte[] get(String key) {
        // An unknown id in an event or request, not an outage.
        return find(key).orElseThrow(() -> new InvalidDataException("No object " + key + " in bucket " + bucket));
    }

    /** Reads an object and checks it against the SHA-256 recorded when it was written. */
    public byte[] getVerified(String key, String expectedSha256) {
        byte[] data = get(key);
        String actual = Sha256.hex(data);
        if (expectedSha256 != null && !expectedSha256.equals(actual)) {
            throw new InvalidDataException("Checksum mismatch for " + key + ": expected " + expectedSha256 + ", got " + actual);
        }
        return data;
    }

    public Optional<String> findText(String key) {
        return find(key).map(b -> new String(b, StandardCharsets.UTF_8).trim());
    }

    /**
     * A JSON document as stored: its value, its key and checksum for the event that announces it, and whether
     * this call stored it (false: an earlier delivery had).
     */
    public record Document<T>(T value, StoredObject stored, boolean created) {
    }

    public <T> Optional<Document<T>> findDocument(String key, Class<T> type) {
        return find(key).map(b -> new Document<>(Json.read(b, type), new StoredObject(key, Sha256.hex(b), b.length), false));
    }

    /**
     * The idempotent write every handler does: the document at {@code key} if an earlier delivery stored it,
     * otherwise {@code build}'s result, stored now. Either way the answer carries the stored bytes' checksum.
     */
    public <T> Document<T> findOrPutDocument(String key, Class<T> type, Supplier<T> build) {
        return findDocument(key, type).orElseGet(() -> {
            T value = build.get();
            return new Document<>(value, putJson(key, value), true);
        });
    }

    public <T> Optional<T> findJson(String key, Class<T> type) {
        return find(key).map(b -> Json.read(b, type));
    }

    public <T> T getJson(String key, Class<T> type) {
        return Json.read(get(key), type);
    }

    public boolean exists(String key) {
        boolean found = retry("stat " + key, () -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return true;
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return false;
                }
                throw e;
            }
        });
        if (!found) {
            confirmBucket();
        }
        return found;
    }

    /** A HEAD answers 404 alike for a missing object and a missing bucket: only the second is a fault. */
    private void confirmBucket() {
        if (bucketSeenAt.plus(BUCKET_PROBE_VALID).isAfter(Instant.now())) {
            return;
        }
        boolean exists = retry("probe bucket " + bucket, () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
        if (!exists) {
            throw permanent("stat in " + bucket, "NoSuchBucket", "the bucket does not exist", null);
        }
        bucketSeenAt = Instant.now();
    }

    private StorageException permanent(String what, String code, String message, Exception cause) {
        String reason = what + " failed: " + code + " " + message + " (a configuration fault: fix the bucket or "
                + "this service's storage credentials; retrying meanwhile)";
        Instant now = Instant.now();
        // Loud, not a flood: a fault that every retry meets is logged when it is new, then once a minute.
        if (!reason.equals(lastPermanentFault) || lastPermanentFaultLoggedAt.plus(Duration.ofMinutes(1)).isBefore(now)) {
            LOG.error(reason);
            lastPermanentFaultLoggedAt = now;
        }
        lastPermanentFault = reason;
        lastPermanentFaultAt = now;
        return new StorageException(reason, new PermanentFaultException(code + " " + message, cause));
    }

    /** The last permanent fault (access denied, no bucket, unknown key), if seen within the last two minutes. */
    public Optional<String> recentPermanentFault() {
        String fault = lastPermanentFault;
        return fault != null && lastPermanentFaultAt.plus(FAULT_MEMORY).isAfter(Instant.now())
                ? Optional.of(fault) : Optional.empty();
    }

    /** Keys under a prefix, recursively, in lexical order. */
    public List<String> list(String prefix) {
        return retry("list " + prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
            keys.sort(null);
            return keys;
        });
    }

    /** A listed object: its key, ETag (changes with its content) and size. */
    public record Listed(String key, String etag, long size) {
        public Listed {
            etag = plainEtag(etag);
        }
    }

    /** An ETag without the quotes some answers carry, so that a listing's and a read's compare equal. */
    public static String plainEtag(String etag) {
        return etag == null ? null : etag.replace("\"", "");
    }

    /** Objects under a prefix, recursively, with their ETags and sizes, in lexical order: one request per 1,000. */
    public List<Listed> listWithTags(String prefix) {
        return retry("list " + prefix, () -> {
            List<Listed> found = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    found.add(new Listed(item.objectName(), item.etag(), item.size()));
                }
            }
            found.sort(Comparator.comparing(Listed::key));
            return found;
        });
    }

    /** The immediate sub-folders of {@code prefix} (keys up to the next {@code /}), in lexical order. */
    public List<String> listFolders(String prefix) {
        return retry("list " + prefix, () -> {
            List<String> folders = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(false).build())) {
                Item item = r.get();
                if (item.isDir()) {
                    folders.add(item.objectName());
                }
            }
            folders.sort(null);
            return folders;
        });
    }

    public void remove(String key) {
        retry("remove " + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    /** Uploads every file below {@code dir} under {@code prefix}, keeping relative paths. */
    public List<StoredObject> uploadDirectory(String prefix, Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            List<StoredObject> stored = new ArrayList<>();
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(f).toString().replace('\\', '/');
                stored.add(putFile(prefix + rel, f));
            }
            return stored;
        } catch (IOException e) {
            throw new StorageException("Cannot walk " + dir, e);
        }
    }

    private static boolean isConflict(ErrorResponseException e) {
        int status = e.response().code();
        return status == 412 || status == 409 || "PreconditionFailed".equals(e.errorResponse().code())
                || "ConditionalRequestConflict".equals(e.errorResponse().code());
    }

    /** A missing object; a missing bucket is not "not found" but a fault (it answers 404 too). */
    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse().code();
        if (code != null && PERMANENT_CODES.contains(code)) {
            return false;
        }
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                || e.response().code() == 404;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> T retry(String what, Call<T> call) {
        Exception last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return call.run();
            } catch (ErrorResponseException e) {
                // A definite answer from the server: retrying now will not help, but it is the store's state, not the
                // record's fault; callers wait until it changes. Access denied or no bucket needs an operator: loud.
                String code = e.errorResponse().code();
                if (code != null && PERMANENT_CODES.contains(code)) {
                    throw permanent(what, code, e.errorResponse().message(), e);
                }
                throw new StorageException(what + " failed: " + code + " " + e.errorResponse().message(), e);
            } catch (IllegalArgumentException | NullPointerException e) {
                // The SDK refused the arguments (a null or malformed key from a bad event): bad input, not an outage.
                throw new InvalidDataException(what + ": " + e.getMessage(), e);
            } catch (Exception e) {
                last = e;
                if (attempt < ATTEMPTS) {
                    LOG.warnf("Storage %s failed (attempt %d/%d): %s; retrying", what, attempt, ATTEMPTS, e.toString());
                    sleep(200L << attempt);
                }
            }
        }
        throw new StorageException(what + " failed after " + ATTEMPTS + " attempts: " + last, last);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted", e);
        }
    }

    /**
     * One quick probe of the bucket, without retries: empty when storage answers, else why not (for readiness).
     * A missing bucket is created, so a service that started while storage was down becomes ready by itself.
     */
    public Optional<String> problem() {
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            bucketSeenAt = Instant.now();
        } catch (ErrorResponseException e) {
            String code = e.errorResponse().code();
            if (code != null && PERMANENT_CODES.contains(code)) {
                return Optional.of(permanent("probe bucket " + bucket, code, e.errorResponse().message(), e).getMessage());
            }
            return Optional.of("storage at " + endpoint + " unavailable: " + e);
        } catch (Exception e) {
            return Optional.of("storage at " + endpoint + " unavailable: " + e);
        }
        return recentPermanentFault();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
