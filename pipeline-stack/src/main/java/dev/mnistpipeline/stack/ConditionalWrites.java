package dev.mnistpipeline.stack;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.server.handler.HandlerWrapper;
import org.jclouds.blobstore.domain.BlobMetadata;

import java.io.IOException;
import java.lang.reflect.Field;

/**
 * S3 conditional writes for the local S3 server: {@code PutObject} with {@code If-None-Match: *} (create only) or
 * {@code If-Match: <etag>} (compare-and-swap) answers 412 PreconditionFailed when the condition does not hold.
 * MinIO and AWS S3 do this natively, and the model registry's champion alias relies on it; S3Proxy 2.6 checks
 * these headers on reads only. This handler only notes the request's conditions; {@link GuardedBlobStore} checks
 * them when S3Proxy stores the object, that is after it authenticated the request (a caller without the secret
 * learns nothing about what exists), under one lock so that the check and the write are one step.
 */
final class ConditionalWrites extends HandlerWrapper {
    private record Conditions(String ifMatch, String ifNoneMatch) {
    }

    private static final ThreadLocal<Conditions> CURRENT = new ThreadLocal<>();

    /** Puts {@code wrapper} in front of everything a built, not yet started S3Proxy handles so far. */
    static void wrap(S3Proxy proxy, HandlerWrapper wrapper) throws ReflectiveOperationException {
        // S3Proxy exposes no hook for request handlers; its Jetty server is a private field.
        Field field = S3Proxy.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        wrapper.setHandler(server.getHandler());
        server.setHandler(wrapper);
    }

    @Override
    public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String ifMatch = request.getHeader("If-Match");
        String ifNoneMatch = request.getHeader("If-None-Match");
        boolean conditionalPut = "PUT".equals(request.getMethod()) && (ifMatch != null || ifNoneMatch != null)
                && request.getHeader("x-amz-copy-source") == null;
        CURRENT.set(conditionalPut ? new Conditions(ifMatch, ifNoneMatch) : null);
        try {
            super.handle(target, base, request, response);
            if (GuardedBlobStore.takeDenied() && !response.isCommitted()) {
                // S3Proxy answers a refusal from the blob store with a bare 403; clients expect S3's error document.
                response.setStatus(HttpServletResponse.SC_FORBIDDEN);
                response.setContentType("application/xml");
                response.getWriter().write(StorageAccessControl.ACCESS_DENIED);
            }
        } finally {
            CURRENT.remove();
        }
    }

    /**
     * Called with the object's current metadata (null: none) just before S3Proxy writes it, under the write lock.
     * S3Proxy answers the exception 412 PreconditionFailed.
     */
    static void check(BlobMetadata current) {
        Conditions c = CURRENT.get();
        if (c == null) {
            return;
        }
        String etag = current == null ? null : unquote(current.getETag());
        boolean holds = (c.ifNoneMatch() == null || ("*".equals(c.ifNoneMatch().trim()) ? current == null : !unquote(c.ifNoneMatch()).equals(etag)))
                && (c.ifMatch() == null || (current != null && ("*".equals(c.ifMatch().trim()) || unquote(c.ifMatch()).equals(etag))));
        if (!holds) {
            throw new IllegalStateException("PreconditionFailed: at least one of the pre-conditions you specified did not hold");
        }
    }

    private static String unquote(String etag) {
        String t = etag.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }
}
