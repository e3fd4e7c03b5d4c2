package dev.mnistpipeline.stack;

import dev.mnistpipeline.common.access.ServiceAccess;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local S3 server's per-service rules on requests as they arrive (the end-to-end scenario proves them against
 * the running server; this covers what the MinIO SDK never sends, such as dot segments).
 */
class StorageAccessControlTest {
    private static final ServiceAccess INGEST = ServiceAccess.of(ServiceAccess.INGEST);
    private static final ServiceAccess EVALUATOR = ServiceAccess.of(ServiceAccess.EVALUATOR);

    @Test
    void objectsAreReadAndWrittenOnlyUnderTheServicesPrefixes() {
        assertTrue(StorageAccessControl.allowed(INGEST, request("PUT", "/mnist-pipeline/raw/blobs/sha256/ab", Map.of())));
        assertTrue(StorageAccessControl.allowed(INGEST, request("GET", "/mnist-pipeline/raw/datasets/x.json", Map.of())));
        assertFalse(StorageAccessControl.allowed(INGEST, request("GET", "/mnist-pipeline/models/m/manifest.json", Map.of())));
        assertFalse(StorageAccessControl.allowed(INGEST, request("PUT", "/mnist-pipeline/registry/champion.json", Map.of())));
        assertFalse(StorageAccessControl.allowed(INGEST, request("DELETE", "/mnist-pipeline/prepared/latest", Map.of())));
        // read-only prefixes
        assertTrue(StorageAccessControl.allowed(EVALUATOR, request("HEAD", "/mnist-pipeline/models/m/manifest.json", Map.of())));
        assertFalse(StorageAccessControl.allowed(EVALUATOR, request("PUT", "/mnist-pipeline/models/m/manifest.json", Map.of())));
        assertFalse(StorageAccessControl.allowed(EVALUATOR, request("POST", "/mnist-pipeline/models/m/weights.npz", Map.of())));
    }

    @Test
    void dotSegmentsAndForeignCopySourcesAreRefused() {
        assertFalse(StorageAccessControl.allowed(INGEST, request("PUT", "/mnist-pipeline/raw/../registry/champion.json", Map.of())));
        assertFalse(StorageAccessControl.allowed(INGEST, request("PUT", "/mnist-pipeline/raw/%2E%2E/registry/champion.json", Map.of())));
        assertFalse(StorageAccessControl.allowed(INGEST, request("GET", "/mnist-pipeline/raw/./x", Map.of())));
        assertTrue(StorageAccessControl.allowed(INGEST, request("GET", "/mnist-pipeline/raw/a..b", Map.of())), "dots inside a name are fine");
        assertFalse(StorageAccessControl.allowed(INGEST, request("PUT", "/mnist-pipeline/raw/copy",
                Map.of("x-amz-copy-source", "/mnist-pipeline/models/m/weights.npz"))), "copying reads the source");
        assertTrue(StorageAccessControl.allowed(INGEST, request("PUT", "/mnist-pipeline/raw/copy",
                Map.of("x-amz-copy-source", "mnist-pipeline/raw/blobs/sha256/ab"))));
    }

    @Test
    void atBucketLevelAServiceMayOnlyListAndProbe() {
        assertTrue(StorageAccessControl.allowed(INGEST, request("GET", "/mnist-pipeline", Map.of())));
        assertTrue(StorageAccessControl.allowed(INGEST, request("HEAD", "/mnist-pipeline/", Map.of())));
        assertFalse(StorageAccessControl.allowed(INGEST, request("PUT", "/mnist-pipeline", Map.of())), "create bucket");
        assertFalse(StorageAccessControl.allowed(INGEST, request("POST", "/mnist-pipeline", Map.of())), "multi-object delete");
        assertFalse(StorageAccessControl.allowed(INGEST, request("DELETE", "/mnist-pipeline", Map.of())), "delete bucket");
    }

    private static final StorageAccessControl CONTROL = new StorageAccessControl("ADMINKEY", Map.of("INGESTKEY", INGEST));
    private static final String V4 = "AWS4-HMAC-SHA256 Credential=%s/20261129/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

    @Test
    void everyAuthenticationVariantIsAttributedToExactlyOneKeyOrRefused() {
        String raw = "/mnist-pipeline/raw/x";
        String models = "/mnist-pipeline/models/m/manifest.json";
        // V4 header, V2 header, V4 presigned, V2 presigned: attributed, then the key's rules decide
        assertNull(CONTROL.refusal(request("PUT", raw, Map.of("Authorization", V4.formatted("INGESTKEY")))));
        assertNotNull(CONTROL.refusal(request("PUT", models, Map.of("Authorization", V4.formatted("INGESTKEY")))));
        assertNull(CONTROL.refusal(request("GET", raw, Map.of("Authorization", "AWS INGESTKEY:c2ln"))));
        assertNotNull(CONTROL.refusal(request("PUT", models, Map.of("Authorization", "AWS INGESTKEY:c2ln"))));
        assertNull(CONTROL.refusal(request("GET", raw, Map.of("?X-Amz-Credential", "INGESTKEY/20261129/us-east-1/s3/aws4_request"))));
        assertNotNull(CONTROL.refusal(request("PUT", models, Map.of("?X-Amz-Credential", "INGESTKEY/20261129/us-east-1/s3/aws4_request"))));
        assertNull(CONTROL.refusal(request("GET", raw, Map.of("?AWSAccessKeyId", "INGESTKEY"))));
        assertNotNull(CONTROL.refusal(request("PUT", models, Map.of("?AWSAccessKeyId", "INGESTKEY"))));
        // the admin key may do anything; S3Proxy then checks its signature
        assertNull(CONTROL.refusal(request("PUT", models, Map.of("Authorization", V4.formatted("ADMINKEY")))));
        // mixed: a header for one key and a query for another (or the same) is ambiguous, refused
        assertEquals("credentials in 2 places", CONTROL.refusal(request("PUT", models,
                Map.of("Authorization", V4.formatted("ADMINKEY"), "?X-Amz-Credential", "INGESTKEY/20261129/us-east-1/s3/aws4_request"))));
        assertEquals("credentials in 2 places", CONTROL.refusal(request("PUT", raw,
                Map.of("?AWSAccessKeyId", "INGESTKEY", "?X-Amz-Credential", "ADMINKEY/20261129/us-east-1/s3/aws4_request"))));
        // an empty or unreadable Authorization header, no credentials, an unknown key
        assertEquals("unreadable credentials", CONTROL.refusal(request("GET", raw, Map.of("Authorization", ""))));
        assertEquals("unreadable credentials", CONTROL.refusal(request("GET", raw, Map.of("Authorization", "Bearer abc"))));
        assertEquals("no credentials", CONTROL.refusal(request("GET", raw, Map.of())));
        assertEquals("unknown access key", CONTROL.refusal(request("GET", raw, Map.of("Authorization", V4.formatted("OTHER")))));
        // a browser-form POST carries its credentials in the body: refused whatever it claims
        assertEquals("browser-form POST uploads are not accepted", CONTROL.refusal(request("POST", "/mnist-pipeline",
                Map.of("Content-Type", "multipart/form-data; boundary=x"))));
    }

    @Test
    void theClaimedAccessKeyIsReadFromEverySignatureForm() {
        assertEquals(Optional.of("AKID1"), StorageAccessControl.accessKey(request("GET", "/b/k", Map.of("Authorization",
                "AWS4-HMAC-SHA256 Credential=AKID1/20261129/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"))));
        assertEquals(Optional.of("AKID2"), StorageAccessControl.accessKey(request("GET", "/b/k", Map.of("Authorization", "AWS AKID2:c2ln"))));
        assertEquals(Optional.of("AKID3"), StorageAccessControl.accessKey(request("GET", "/b/k",
                Map.of("?X-Amz-Credential", "AKID3/20261129/us-east-1/s3/aws4_request"))));
        assertEquals(Optional.empty(), StorageAccessControl.accessKey(request("GET", "/b/k", Map.of())));
    }

    /** A request with a method, a raw URI, headers, and query parameters (names starting with '?'). */
    private static HttpServletRequest request(String method, String uri, Map<String, String> headers) {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(), new Class<?>[]{HttpServletRequest.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getRequestURI" -> uri;
                    case "getHeader" -> headers.get((String) args[0]);
                    case "getContentType" -> headers.get("Content-Type");
                    case "getParameter" -> headers.get("?" + args[0]);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
