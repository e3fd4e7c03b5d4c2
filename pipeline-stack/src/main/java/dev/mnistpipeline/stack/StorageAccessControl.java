package dev.mnistpipeline.stack;

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
import java.util.Locale;

/**
 * Per-service key prefixes for the local S3 server, the rules deploy/'s MinIO policies grant (both come from
 * {@link ServiceAccess}): a service's access key may read and write only its prefixes. Reads are GET and HEAD of an
 * object; writes are every other method on an object, and a copy also reads its source. At bucket level a service
 * may list (GET) and probe (HEAD), nothing else.
 *
 * <p>Deny by default: a request passes on to S3Proxy only when it names exactly one access key, in exactly one place
 * (a V4 or V2 Authorization header, or a V4 or V2 presigned query), and that key is the admin key or a service key
 * whose rules allow it. Anonymous requests, an empty or unreadable Authorization header, credentials in two places,
 * unknown keys and browser-form POST uploads (their credentials travel in the body) are refused here. S3Proxy then
 * authenticates the request with that same key, and {@link GuardedBlobStore} applies the same rules again to the
 * key it authenticated.
 */
final class StorageAccessControl extends HandlerWrapper {
    private static final Pattern V4_CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");
    private static final Pattern V2_CREDENTIAL = Pattern.compile("^AWS ([^:\\s]+):");
    private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");
    static final String ACCESS_DENIED = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
            + "<Message>Access Denied</Message></Error>";

    private final String adminKey;
    private final Map<String, ServiceAccess> byAccessKey;

    /** @param byAccessKey each service key's rules */
    StorageAccessControl(String adminKey, Map<String, ServiceAccess> byAccessKey) {
        this.adminKey = adminKey;
        this.byAccessKey = Map.copyOf(byAccessKey);
    }

    @Override
    public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String refusal = refusal(request);
        if (refusal == null) {
            super.handle(target, base, request, response);
            return;
        }
        System.out.printf("AccessDenied (%s): %s %s%n", refusal, request.getMethod(), request.getRequestURI());
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/xml");
        response.getWriter().write(ACCESS_DENIED);
        base.setHandled(true);
    }

    /** Why a request is refused, or null when it may go on to S3Proxy's authentication. */
    String refusal(HttpServletRequest request) {
        String contentType = request.getContentType();
        if ("POST".equals(request.getMethod()) && contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return "browser-form POST uploads are not accepted";
        }
        Claim claim = claim(request);
        if (claim.places() != 1) {
            return claim.places() == 0 ? "no credentials" : "credentials in " + claim.places() + " places";
        }
        if (claim.key() == null) {
            return "unreadable credentials";
        }
        if (claim.key().equals(adminKey)) {
            return null;
        }
        ServiceAccess access = byAccessKey.get(claim.key());
        if (access == null) {
            return "unknown access key";
        }
        return allowed(access, request) ? null : access.principal() + " may not do this";
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

    /** The access key a request claims (null: none readable) and in how many places it carries credentials. */
    record Claim(String key, int places) {
    }

    /** What a request claims: a SigV4 or V2 Authorization header, a V4 or V2 presigned query, or several of these. */
    static Claim claim(HttpServletRequest request) {
        String key = null;
        int places = 0;
        String authorization = request.getHeader("Authorization");
        if (authorization != null) {
            places++;
            Matcher v4 = V4_CREDENTIAL.matcher(authorization);
            Matcher v2 = V2_CREDENTIAL.matcher(authorization);
            key = v4.find() ? v4.group(1) : v2.find() ? v2.group(1) : null;
        }
        String credential = request.getParameter("X-Amz-Credential");
        if (credential != null) {
            places++;
            key = credential.split("/", 2)[0];
        }
        String v2Query = request.getParameter("AWSAccessKeyId");
        if (v2Query != null) {
            places++;
            key = v2Query;
        }
        return new Claim(key == null || key.isBlank() ? null : key, places);
    }

    /** The access key a request claims, when it claims exactly one in one place. */
    static Optional<String> accessKey(HttpServletRequest request) {
        Claim claim = claim(request);
        return claim.places() == 1 ? Optional.ofNullable(claim.key()) : Optional.empty();
    }
}
