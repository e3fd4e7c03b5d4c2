package dev.mnistpipeline.stack;

import java.io.InputStream;
import java.io.IOException;
import dev.mnistpipeline.common.access.ServiceAccess;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.http.HttpResponse;
import org.jclouds.io.MutableContentMetadata;
import org.jclouds.io.Payload;
import org.jclouds.io.Payloads;
import org.jclouds.http.HttpResponseException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blob store S3Proxy hands an access key after it authenticated the request with that key's secret: so the
 * rules apply to exactly the key the signature proved, whatever the request claimed elsewhere. Deny by default:
 * only the operations named here pass, each only on the key's {@link ServiceAccess} prefixes (the admin key: all
 * of them); bucket creation, deletion and access changes are refused. Conditional writes
 * ({@link ConditionalWrites}) are checked here too, after authentication, so an unauthenticated caller cannot learn
 * whether an object exists.
 */
final class GuardedBlobStore {
    /** Operations that name no object and change nothing: allowed to every key (bucket probe, list, limits, a builder). */
    private static final Set<String> BUCKET_READS = Set.of("containerExists", "list", "getContext", "blobBuilder", "getContainerAccess",
            "getMinimumMultipartPartSize", "getMaximumMultipartPartSize", "getMaximumNumberOfParts", "listMultipartUploads",
            "toString", "hashCode", "equals");
    /** {@code (container, name, ...)}: reads of one object. */
    private static final Set<String> OBJECT_READS = Set.of("getBlob", "blobMetadata", "blobExists", "getBlobAccess");
    /** {@code (container, name, ...)}: writes of one object. */
    private static final Set<String> OBJECT_WRITES = Set.of("removeBlob");
    /** {@code (MultipartUpload, ...)}: the upload names its object. */
    private static final Set<String> MULTIPART = Set.of("uploadMultipartPart", "completeMultipartUpload",
            "abortMultipartUpload", "listMultipartUpload");
    /** Object operations S3Proxy also does on its multipart stub, a blob named by the upload id. */
    private static final Set<String> STUB_OPERATIONS = Set.of("putBlob", "removeBlob", "blobMetadata", "getBlob", "blobExists",
            "getBlobAccess");
    /**
     * One lock per object name (striped): a conditional write checks and writes under it, and a read of a small object
     * takes it while it copies the object out. The filesystem blob store writes in place, so without it a read that
     * meets a concurrent overwrite of the same object returns a torn mix (seen with two run-record writers); MinIO and
     * S3 are atomic per object, and this makes the local server so too.
     */
    private static final Object[] OBJECT_LOCKS = new Object[64];
    /** Objects up to this size are read whole under their lock; larger ones (dataset shards) are written once. */
    private static final long BUFFERED_READ_MAX = 4L << 20;

    static {
        for (int i = 0; i < OBJECT_LOCKS.length; i++) {
            OBJECT_LOCKS[i] = new Object();
        }
    }
    private static final ThreadLocal<Boolean> DENIED = new ThreadLocal<>();

    private GuardedBlobStore() {
    }

    /** Whether this request was refused here (and forgets it): the caller writes S3's AccessDenied body. */
    static boolean takeDenied() {
        boolean denied = Boolean.TRUE.equals(DENIED.get());
        DENIED.remove();
        return denied;
    }

    /** @param access the key's rules; null for the admin key (every prefix) */
    static BlobStore wrap(BlobStore store, ServiceAccess access) {
        // Upload ids of multipart uploads this key started on its prefixes: S3Proxy keeps a stub blob under that name.
        Set<String> uploads = ConcurrentHashMap.newKeySet();
        return (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(), new Class<?>[]{BlobStore.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (isStub(uploads, name, args)) {
                        Object result = invoke(store, method, args);
                        if (name.equals("removeBlob")) {
                            uploads.remove((String) args[1]); // the upload is over: S3Proxy removes its stub last
                        }
                        return result;
                    }
                    check(store, access, name, args);
                    if (name.equals("initiateMultipartUpload")) {
                        MultipartUpload upload = (MultipartUpload) invoke(store, method, args);
                        uploads.add(upload.id());
                        return upload;
                    }
                    if (name.equals("putBlob")) {
                        Blob blob = (Blob) args[1];
                        synchronized (lockOf(blob.getMetadata().getName())) {
                            ConditionalWrites.check(store.blobMetadata((String) args[0], blob.getMetadata().getName()));
                            return invoke(store, method, args);
                        }
                    }
                    if (name.equals("getBlob")) {
                        synchronized (lockOf((String) args[1])) {
                            return buffered((Blob) invoke(store, method, args));
                        }
                    }
                    return invoke(store, method, args);
                });
    }

    private static Object lockOf(String object) {
        return OBJECT_LOCKS[Math.floorMod(object.hashCode(), OBJECT_LOCKS.length)];
    }

    /** A small blob with its content read now (under its lock), so that a later overwrite cannot tear it. */
    private static Blob buffered(Blob blob) throws IOException {
        if (blob == null || blob.getPayload() == null) {
            return blob;
        }
        MutableContentMetadata metadata = blob.getPayload().getContentMetadata();
        Long length = metadata.getContentLength();
        if (length == null || length > BUFFERED_READ_MAX) {
            return blob;
        }
        byte[] content;
        try (InputStream in = blob.getPayload().openStream()) {
            content = in.readAllBytes();
        }
        Payload copy = Payloads.newByteArrayPayload(content);
        copy.setContentMetadata(metadata);
        blob.setPayload(copy);
        return blob;
    }

    private static boolean isStub(Set<String> uploads, String operation, Object[] args) {
        if (!STUB_OPERATIONS.contains(operation) || args == null || args.length < 2) {
            return false;
        }
        String object = args[1] instanceof Blob blob ? blob.getMetadata().getName() : args[1] instanceof String s ? s : null;
        return object != null && uploads.contains(object);
    }

    private static Object invoke(BlobStore store, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(store, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void check(BlobStore store, ServiceAccess access, String operation, Object[] args) {
        boolean allowed = switch (operation) {
            case "putBlob" -> mayWrite(access, ((Blob) args[1]).getMetadata().getName());
            case "removeBlobs" -> {
                boolean all = true;
                for (Object key : (Iterable<?>) args[1]) {
                    all &= mayWrite(access, (String) key);
                }
                yield all;
            }
            case "copyBlob" -> mayRead(access, (String) args[1]) && mayWrite(access, (String) args[3]);
            case "initiateMultipartUpload" -> mayWrite(access, ((BlobMetadata) args[1]).getName());
            default -> {
                if (BUCKET_READS.contains(operation) && (args == null || args.length <= 2)) {
                    yield args == null || args.length == 0 ? !operation.equals("list") || access == null : true;
                }
                if (OBJECT_READS.contains(operation)) {
                    yield mayRead(access, (String) args[1]);
                }
                if (OBJECT_WRITES.contains(operation)) {
                    yield mayWrite(access, (String) args[1]);
                }
                if (MULTIPART.contains(operation)) {
                    yield mayWrite(access, ((MultipartUpload) args[0]).blobName());
                }
                yield access == null; // the admin key may do anything
            }
        };
        if (!allowed) {
            System.out.printf("AccessDenied: %s %s %s%n", access == null ? "admin" : access.principal(), operation, describe(args));
            DENIED.set(true);
            throw new HttpResponseException("AccessDenied", null, HttpResponse.builder().statusCode(403).message("Access Denied").build());
        }
    }

    private static String describe(Object[] args) {
        if (args == null || args.length < 2) {
            return "";
        }
        return args[1] instanceof Blob blob ? blob.getMetadata().getName() : args[1] instanceof BlobMetadata m ? m.getName() : String.valueOf(args[1]);
    }

    private static boolean mayRead(ServiceAccess access, String key) {
        return access == null || access.mayRead(key);
    }

    private static boolean mayWrite(ServiceAccess access, String key) {
        return access == null || access.mayWrite(key);
    }
}
