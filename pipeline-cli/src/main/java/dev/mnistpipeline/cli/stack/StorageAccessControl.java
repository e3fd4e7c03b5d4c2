package dev.mnistpipeline.cli.stack;

import dev.mnistpipeline.common.access.ServiceAccess;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.handler.HandlerWrapper;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-service key prefixes for the local S3 server, the rules deploy/'s MinIO policies grant (both come from
 * {@link ServiceAccess}): a service's access key may read and write only its prefixes. Reads are GET and HEAD of an
 * object; writes are every other method on an object, and a copy also reads its source. At bucket level a service
 * may list (GET) and probe (HEAD), nothing else. The admin key and unknown keys pass on to S3Proxy, which
 * authenticates every request (an unknown key answers InvalidAccessKeyId).
 *
 * <p>The check runs before S3Proxy verifies the signature. That is sound: the access key it reads is the one the
 * signature is then checked against, so a request that claims another service's key fails authentication.
 */
final class StorageAccessControl extends HandlerWrapper {
    private static final Pattern V4_CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");
    private static final Pattern V2_CREDENTIAL = Pattern.compile("^AWS ([^:\\s]+):");
    private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");
    private static final String ACCESS_DENIED = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
            + "<Message>Access Denied</Message></Error>";

    private final Map<String, ServiceAccess> byAccessKey;

    /** @param byAccessKey each service key's rules */
    StorageAccessControl(Map<String, ServiceAccess> byAccessKey) {
        this.byAccessKey = Map.copyOf(byAccessKey);
    }

    @Override
    public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        ServiceAccess access = accessKey(request).map(byAccessKey::get).orElse(null);
        if (access == null || allowed(access, request)) {
            super.handle(target, base, request, response);
            return;
        }
        System.out.printf("AccessDenied: %s %s %s%n", access.principal(), request.getMethod(), request.getRequestURI());
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/xml");
        response.getWriter().write(ACCESS_DENIED);
        base.setHandled(true);
    }

    static boolean allowed(ServiceAccess access, HttpServletRequest request) {
        String path = URLDecoder.decode(request.getRequestURI(), StandardCharsets.UTF_8).substring(1);
        int slash = path.indexOf('/');
        String key = slash < 0 ? "" : path.substring(slash + 1);
        boolean read = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        if (key.isEmpty()) {
            return read;
        }
        if (DOT_SEGMENT.matcher(key).find()) {
            return false; // a backend that resolves "raw/../models/x" must not see it as outside "raw/"
        }
        if (read) {
            return access.mayRead(key);
        }
        String copySource = request.getHeader("x-amz-copy-source");
        if (copySource != null) {
            String source = URLDecoder.decode(copySource, StandardCharsets.UTF_8).replaceFirst("^/", "");
            int sourceSlash = source.indexOf('/');
            if (sourceSlash < 0 || !access.mayRead(source.substring(sourceSlash + 1))) {
                return false;
            }
        }
        return access.mayWrite(key);
    }

    /** The access key a request claims: from a SigV4 or V2 Authorization header, or a presigned URL. */
    static Optional<String> accessKey(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null) {
            Matcher v4 = V4_CREDENTIAL.matcher(authorization);
            if (v4.find()) {
                return Optional.of(v4.group(1));
            }
            Matcher v2 = V2_CREDENTIAL.matcher(authorization);
            return v2.find() ? Optional.of(v2.group(1)) : Optional.empty();
        }
        String credential = request.getParameter("X-Amz-Credential");
        if (credential != null) {
            return Optional.of(credential.split("/", 2)[0]);
        }
        return Optional.ofNullable(request.getParameter("AWSAccessKeyId"));
    }
}
