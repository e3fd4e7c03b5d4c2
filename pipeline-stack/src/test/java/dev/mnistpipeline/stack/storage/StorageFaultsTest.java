package dev.mnistpipeline.stack.storage;

import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.common.storage.StorageException;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against a real S3 server: a missing bucket or a refused key is a permanent fault, reported as such (and remembered
 * for readiness), never "not found" (which would reach users as 404 "no champion yet" or 400 "no prepared dataset").
 */
class StorageFaultsTest {

    @Test
    void aMissingBucketIsAFaultNotAMissingObject() throws Exception {
        try (TestS3 s3 = new TestS3(); ObjectStore present = s3.client("present");
             ObjectStore gone = new ObjectStore(new StorageConfig(s3.endpoint(), s3.accessKey(), s3.secretKey(), "gone"))) {
            assertEquals(Optional.empty(), present.find("registry/champion.json"), "a missing object in a bucket that exists");
            assertEquals(false, present.exists("registry/champion.json"));

            StorageException read = assertThrows(StorageException.class, () -> gone.find("registry/champion.json"));
            assertTrue(Outages.isPermanent(read) && Outages.isOutage(read), read.getMessage());
            assertTrue(read.getMessage().contains("NoSuchBucket"), read.getMessage());
            StorageException stat = assertThrows(StorageException.class, () -> gone.exists("markers/published/x"));
            assertTrue(Outages.isPermanent(stat), "a HEAD's 404 is checked against the bucket: " + stat.getMessage());
            assertTrue(gone.recentPermanentFault().orElseThrow().contains("NoSuchBucket"));
        }
    }

    @Test
    void aRefusedKeyIsAPermanentFault() throws Exception {
        try (TestS3 s3 = new TestS3(); ObjectStore ok = s3.client("bucket-b");
             ObjectStore wrong = new ObjectStore(new StorageConfig(s3.endpoint(), s3.accessKey(), "not-the-secret", "bucket-b"))) {
            ok.putText("raw/x", "1");
            StorageException e = assertThrows(StorageException.class, () -> wrong.find("raw/x"));
            assertTrue(Outages.isPermanent(e), e.getMessage());
            assertTrue(wrong.problem().isPresent(), "readiness names it");
            assertEquals(Optional.empty(), ok.recentPermanentFault());
        }
    }
}
