package dev.mnistpipeline.cli.stack;

import dev.mnistpipeline.common.access.ServiceAccess;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                    case "getParameter" -> headers.get("?" + args[0]);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
