package dev.mnistpipeline.stack.storage;

import dev.mnistpipeline.stack.StorageKey;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MinioClient;
import io.minio.http.Method;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way S3 can carry credentials, against the running local S3 server with the ingest service's key (allowed
 * {@code raw/} only): V4 header, V4 presigned, V2 header and V2 presigned are each attributed to the key S3Proxy
 * verifies and held to its prefixes; mixed credentials, an empty Authorization, anonymous requests and form POST
 * uploads are refused; a conditional write is checked only after authentication.
 */
class S3AuthenticationVariantsTest {
    private static final String BUCKET = "auth-variants";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void eachVariantIsAttributedToOneKeyAndHeldToItsPrefixes() throws Exception {
        try (TestS3 s3 = new TestS3(ServiceAccess.INGEST); ObjectStore admin = s3.client(BUCKET)) {
            admin.putText("raw/existing", "1");
            admin.putText("models/m/manifest.json", "{}");
            StorageKey ingest = s3.serviceKey(ServiceAccess.INGEST);
            String base = s3.endpoint() + "/" + BUCKET + "/";

            // V4 header (the MinIO SDK): its prefixes yes, another's no.
            try (ObjectStore asIngest = new ObjectStore(new StorageConfig(s3.endpoint(), ingest.accessKey(), ingest.secretKey(), BUCKET))) {
                asIngest.putText("raw/v4-header", "1");
                assertTrue(assertThrowsMessage(() -> asIngest.putText("models/v4-header", "1")).contains("AccessDenied"));
                // Over 5 MiB the SDK uploads in parts (S3Proxy keeps a stub blob named by the upload id meanwhile).
                byte[] big = new byte[6 << 20];
                asIngest.put("raw/multipart", big, "application/octet-stream");
                assertEquals(big.length, admin.find("raw/multipart").orElseThrow().length);
                String refused = assertThrowsMessage(() -> asIngest.put("models/multipart", big, "application/octet-stream"));
                assertTrue(refused.contains("AccessDenied") && refused.contains("configuration fault"), refused);
            }
            // V4 presigned.
            MinioClient presigner = MinioClient.builder().endpoint(s3.endpoint()).credentials(ingest.accessKey(), ingest.secretKey())
                    .region("us-east-1").build();
            assertEquals(200, put(presigned(presigner, Method.PUT, "raw/v4-query"), "1"));
            assertEquals(403, put(presigned(presigner, Method.PUT, "models/v4-query"), "1"));
            // V2 header and V2 presigned (HMAC-SHA1 of the canonical string).
            assertEquals(200, status(v2Header(base, "raw/v2-header", ingest)));
            assertEquals(403, status(v2Header(base, "models/v2-header", ingest)));
            assertEquals(200, put(v2Query(base, "raw/v2-query", ingest), "1"));
            assertEquals(403, put(v2Query(base, "models/v2-query", ingest), "1"));

            // Mixed: a V4 presigned URL of the ingest key, plus an Authorization header naming another key.
            String mixed = presigned(presigner, Method.GET, "raw/existing"); // readable with either credential alone
            assertEquals(200, status(HttpRequest.newBuilder(URI.create(mixed)).GET().build()));
            assertEquals(403, status(HttpRequest.newBuilder(URI.create(mixed))
                    .header("Authorization", "AWS " + s3.accessKey() + ":c2ln").GET().build()));
            // An empty Authorization, none at all, and a browser-form POST.
            assertEquals(403, status(HttpRequest.newBuilder(URI.create(base + "raw/existing")).header("Authorization", "").GET().build()));
            assertEquals(403, status(HttpRequest.newBuilder(URI.create(base + "raw/existing")).GET().build()));
            assertEquals(403, status(HttpRequest.newBuilder(URI.create(s3.endpoint() + "/" + BUCKET))
                    .header("Content-Type", "multipart/form-data; boundary=x")
                    .POST(HttpRequest.BodyPublishers.ofString("--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nmodels/form\r\n--x--\r\n")).build()));

            // A conditional write by a caller without the secret: refused for the signature, never 412 (which would
            // tell that the object exists).
            StorageKey forged = new StorageKey(ingest.accessKey(), "not-the-secret");
            HttpRequest conditional = HttpRequest.newBuilder(URI.create(v2Query(base, "raw/existing", forged)))
                    .header("If-None-Match", "*").PUT(HttpRequest.BodyPublishers.ofString("2")).build();
            HttpResponse<String> answer = http.send(conditional, HttpResponse.BodyHandlers.ofString());
            assertEquals(403, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("SignatureDoesNotMatch"), answer.body());
            // With the secret, the same write answers 412: the object exists.
            HttpRequest genuine = HttpRequest.newBuilder(URI.create(v2Query(base, "raw/existing", ingest)))
                    .header("If-None-Match", "*").PUT(HttpRequest.BodyPublishers.ofString("2")).build();
            assertEquals(412, http.send(genuine, HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals("1", admin.findText("raw/existing").orElseThrow());
            assertEquals(false, admin.exists("models/multipart") || admin.exists("models/v4-header") || admin.exists("models/v4-query") || admin.exists("models/v2-header")
                    || admin.exists("models/v2-query") || admin.exists("models/form"), "nothing was written outside raw/");
        }
    }

    private static String assertThrowsMessage(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
        throw new AssertionError("expected a refusal");
    }

    private static String presigned(MinioClient client, Method method, String key) throws Exception {
        return client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(method).bucket(BUCKET).object(key).expiry(300).build());
    }

    /** A V2-signed PUT with the signature in the Authorization header. */
    private static HttpRequest v2Header(String base, String key, StorageKey credentials) throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        // x-amz-date instead of Date (which Java's HTTP client will not set): the Date line is then empty.
        String signature = sign(credentials, "PUT\n\ntext/plain\n\nx-amz-date:" + date + "\n/" + BUCKET + "/" + key);
        return HttpRequest.newBuilder(URI.create(base + key)).header("x-amz-date", date).header("Content-Type", "text/plain")
                .header("Authorization", "AWS " + credentials.accessKey() + ":" + signature)
                .PUT(HttpRequest.BodyPublishers.ofString("1")).build();
    }

    /** A V2 presigned PUT URL (AWSAccessKeyId, Expires, Signature in the query). */
    private static String v2Query(String base, String key, StorageKey credentials) throws Exception {
        long expires = System.currentTimeMillis() / 1000 + 300;
        String signature = sign(credentials, "PUT\n\n\n" + expires + "\n/" + BUCKET + "/" + key);
        return base + key + "?AWSAccessKeyId=" + credentials.accessKey() + "&Expires=" + expires
                + "&Signature=" + URLEncoder.encode(signature, StandardCharsets.UTF_8);
    }

    private static String sign(StorageKey credentials, String canonical) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(credentials.secretKey().getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    private int put(String url, String body) throws Exception {
        // No Content-Type: the V2 presigned signature above signs an empty one.
        return http.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private int status(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
