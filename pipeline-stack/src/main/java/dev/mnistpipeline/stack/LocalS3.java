package dev.mnistpipeline.stack;

import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import dev.mnistpipeline.common.access.ServiceAccess;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A real S3 server (S3Proxy on a filesystem backend), run as its own process, with S3 conditional writes added
 * ({@link ConditionalWrites}) as MinIO has them, and deny-by-default access control in front
 * ({@link StorageAccessControl}) and behind authentication ({@link GuardedBlobStore}). Credentials come from the
 * environment ({@code S3_ACCESS_KEY}, {@code S3_SECRET_KEY}: the admin key); the launcher generates them per stack.
 * {@code S3_SERVICE_KEYS} ({@code principal=access:secret;...}) adds one key per service, allowed only the key
 * prefixes that {@link dev.mnistpipeline.common.access.ServiceAccess} grants it ({@link StorageAccessControl}).
 *
 * <p>Usage: {@code LocalS3 <port> <data-dir>}
 */
public final class LocalS3 {
    private LocalS3() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(dir);
        Layout.ownerOnly(dir);
        String accessKey = System.getenv("S3_ACCESS_KEY");
        String secretKey = System.getenv("S3_SECRET_KEY");
        if (accessKey == null || secretKey == null) {
            throw new IllegalStateException("set S3_ACCESS_KEY and S3_SECRET_KEY");
        }
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials("local", "local").overrides(props).build(BlobStoreContext.class);
        // Loopback unless told otherwise: the S3 image (deploy/images/Dockerfile.s3) listens on its container's network.
        String host = System.getenv().getOrDefault("S3_BIND_HOST", "127.0.0.1");
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        BlobStore blobs = context.getBlobStore();
        Map<String, Map.Entry<String, BlobStore>> identities = new HashMap<>();
        identities.put(accessKey, Map.entry(secretKey, GuardedBlobStore.wrap(blobs, null)));
        Map<String, ServiceAccess> serviceKeys = new HashMap<>();
        for (String entry : System.getenv().getOrDefault("S3_SERVICE_KEYS", "").split(";")) {
            if (!entry.isBlank()) {
                String[] principalAndKey = entry.split("=", 2);
                String[] key = principalAndKey[1].split(":", 2);
                ServiceAccess access = ServiceAccess.of(principalAndKey[0]);
                identities.put(key[0], Map.entry(key[1], GuardedBlobStore.wrap(blobs, access)));
                serviceKeys.put(key[0], access);
            }
        }
        // S3Proxy asks for the secret of the key a request names, then authenticates with it and works on the blob
        // store returned with it: so GuardedBlobStore's rules bind exactly the key the signature proved.
        proxy.setBlobStoreLocator((identity, container, blob) -> identities.get(identity));
        ConditionalWrites.wrap(proxy, new ConditionalWrites());
        ConditionalWrites.wrap(proxy, new StorageAccessControl(accessKey, serviceKeys));
        proxy.start();
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            Thread.sleep(20);
        }
        System.out.println("S3 server (S3Proxy) listening on http://" + host + ":" + port + ", data in " + dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception ignored) {
                // exiting anyway
            }
        }));
        Thread.currentThread().join();
    }
}
