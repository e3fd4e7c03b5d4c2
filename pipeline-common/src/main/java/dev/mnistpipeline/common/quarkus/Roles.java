package dev.mnistpipeline.common.quarkus;

import java.util.List;
import java.util.Set;

/**
 * The pipeline's roles, each including the ones below it: a {@code viewer} reads (GET endpoints, the dashboard and
 * its stream, metrics), a {@code predictor} also asks for predictions, an {@code operator} also ingests, uploads and
 * trains. Endpoints name the least role they need with {@code @RolesAllowed}.
 */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String PREDICTOR = "predictor";
    public static final String OPERATOR = "operator";
    /** Lowest first. */
    public static final List<String> ALL = List.of(VIEWER, PREDICTOR, OPERATOR);

    private Roles() {
    }

    /** The roles a caller holding {@code role} has. */
    public static Set<String> granted(String role) {
        int level = ALL.indexOf(role);
        if (level < 0) {
            throw new IllegalArgumentException("unknown role " + role + "; one of " + ALL);
        }
        return Set.copyOf(ALL.subList(0, level + 1));
    }
}
