package dev.mnistpipeline.stack;

import dev.mnistpipeline.common.access.ServiceAccess;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.http.HttpResponseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.List;

/** The rules S3Proxy applies to the key it authenticated: a service key only on its prefixes, nothing unnamed passes. */
class GuardedBlobStoreTest {
    private final BlobStoreContext context = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
    private final BlobStore base = context.getBlobStore();

    @AfterEach
    void close() {
        context.close();
    }

    @Test
    void aServiceKeyWorksOnlyOnItsPrefixesAndCannotTouchTheBucket() {
        base.createContainerInLocation(null, "b");
        BlobStore ingest = GuardedBlobStore.wrap(base, ServiceAccess.of(ServiceAccess.INGEST));
        ingest.putBlob("b", ingest.blobBuilder("raw/x").payload("1").build());
        assertTrue(ingest.blobExists("b", "raw/x"));
        assertEquals(403, denied(() -> ingest.putBlob("b", ingest.blobBuilder("models/m/manifest.json").payload("1").build())));
        assertEquals(403, denied(() -> ingest.getBlob("b", "registry/champion.json")));
        assertEquals(403, denied(() -> ingest.removeBlob("b", "models/x")));
        assertEquals(403, denied(() -> ingest.copyBlob("b", "raw/x", "b", "models/x", org.jclouds.blobstore.options.CopyOptions.NONE)));
        assertEquals(403, denied(() -> ingest.removeBlobs("b", List.of("raw/x", "models/x"))));
        assertEquals(403, denied(() -> ingest.deleteContainer("b")), "an operation not named is refused");
        assertEquals(403, denied(() -> ingest.createContainerInLocation(null, "other")));
        assertTrue(ingest.containerExists("b"));
        assertEquals(1, ingest.list("b").size(), "listing the bucket is allowed");
        assertTrue(base.blobExists("b", "raw/x"));
    }

    @Test
    void theAdminKeyMayDoAnything() {
        BlobStore admin = GuardedBlobStore.wrap(base, null);
        admin.createContainerInLocation(null, "b");
        admin.putBlob("b", admin.blobBuilder("models/m").payload("1").build());
        admin.deleteContainer("b");
    }

    private static int denied(Runnable call) {
        return assertThrows(HttpResponseException.class, call::run).getResponse().getStatusCode();
    }
}
