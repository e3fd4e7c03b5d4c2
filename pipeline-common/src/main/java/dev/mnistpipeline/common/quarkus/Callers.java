package dev.mnistpipeline.common.quarkus;

import jakarta.ws.rs.core.SecurityContext;

/** Who made a request, as recorded with the changes it makes (cancellations, promotions, gate suites). */
public final class Callers {
    private Callers() {
    }

    public static String name(SecurityContext caller) {
        return caller == null || caller.getUserPrincipal() == null ? "anonymous" : caller.getUserPrincipal().getName();
    }
}
