package dev.mnistpipeline.cli.stack;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.server.handler.HandlerWrapper;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.BlobMetadata;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * S3 conditional writes for the local S3 server: {@code PutObject} with {@code If-None-Match: *} (create only) or
 * {@code If-Match: <etag>} (compare-and-swap) answers 412 PreconditionFailed when the condition does not hold.
 * MinIO and AWS S3 do this natively, and the model registry's champion alias relies on it; S3Proxy 2.6 checks
 * these headers on reads only, so this handler adds the check in front of it.
 *
 * <p>Conditional writes are serialised by one lock: the check and the write happen as one step. They are rare
 * (one per gate decision), so the lock costs nothing measurable. Unconditional writes pass straight through.
 */
final class ConditionalWrites extends HandlerWrapper {
    private static final String PRECONDITION_FAILED = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PreconditionFailed</Code>"
            + "<Message>At least one of the pre-conditions you specified did not hold</Message></Error>";

    private final BlobStore blobs;
    private final Object lock = new Object();

    private ConditionalWrites(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** Puts the handler in front of a built, not yet started S3Proxy. */
    static void install(S3Proxy proxy, BlobStore blobs) throws ReflectiveOperationException {
        wrap(proxy, new ConditionalWrites(blobs));
    }

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
        if (!conditionalPut) {
            super.handle(target, base, request, response);
            return;
        }
        String path = URLDecoder.decode(request.getRequestURI(), StandardCharsets.UTF_8).substring(1);
        int slash = path.indexOf('/');
        if (slash < 0) {
            super.handle(target, base, request, response);
            return;
        }
        synchronized (lock) {
            BlobMetadata current = blobs.blobMetadata(path.substring(0, slash), path.substring(slash + 1));
            String etag = current == null ? null : unquote(current.getETag());
            boolean holds = (ifNoneMatch == null || ("*".equals(ifNoneMatch.trim()) ? current == null : !unquote(ifNoneMatch).equals(etag)))
                    && (ifMatch == null || (current != null && ("*".equals(ifMatch.trim()) || unquote(ifMatch).equals(etag))));
            if (!holds) {
                response.setStatus(HttpServletResponse.SC_PRECONDITION_FAILED);
                response.setContentType("application/xml");
                response.getWriter().write(PRECONDITION_FAILED);
                base.setHandled(true);
                return;
            }
            super.handle(target, base, request, response);
        }
    }

    private static String unquote(String etag) {
        String t = etag.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }
}
