package dev.mnistpipeline.stack.storage;

import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.Ports;
import dev.mnistpipeline.stack.StorageKey;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real S3 server (S3Proxy) as a child process on a free loopback port, for tests of storage-level logic. */
public final class TestS3 implements AutoCloseable {
    private final Path dir;
    private final ManagedProcess process;
    private final String endpoint;
    private final String accessKey = LocalInfrastructure.randomKey(10);
    private final String secretKey = LocalInfrastructure.randomKey(20);

    private final Map<String, StorageKey> serviceKeys = new HashMap<>();

    /** @param principals services that get a key of their own, limited to their prefixes (ServiceAccess) */
    public TestS3(String... principals) throws Exception {
        dir = Files.createTempDirectory("test-s3-");
        int port = Ports.free();
        for (String principal : principals) {
            serviceKeys.put(principal, StorageKey.generate());
        }
        process = LocalInfrastructure.startS3(new Layout(Path.of("..")), dir, port, new StorageKey(accessKey, secretKey), serviceKeys);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Ports.isOpen(port)) {
            assertTrue(process.isAlive() && System.nanoTime() < deadline, () -> "S3 did not start:\n" + process.tail(30));
            Thread.sleep(100);
        }
        endpoint = "http://127.0.0.1:" + port;
    }

    /** A client on {@code bucket}, created if missing; each call is a separate client, as on separate replicas. */
    public ObjectStore client(String bucket) {
        ObjectStore store = new ObjectStore(new StorageConfig(endpoint, accessKey, secretKey, bucket));
        store.ensureBucket();
        return store;
    }

    public StorageKey serviceKey(String principal) {
        return serviceKeys.get(principal);
    }

    public String endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        process.close();
        LocalFiles.deleteTree(dir);
    }
}
