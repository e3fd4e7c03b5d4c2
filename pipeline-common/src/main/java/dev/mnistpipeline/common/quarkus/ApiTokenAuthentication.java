package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.data.Sha256;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer API tokens, one or more per role ({@link Roles}). A service knows only the SHA-256 of each token
 * ({@code pipeline.auth.token-sha256.<role>}, comma-separated), so its configuration holds nothing that would let a
 * reader call it; {@code ./pipeline up} generates the tokens and hands them to the CLI. Requests without a token are
 * anonymous and meet {@code 401} at the first endpoint that needs a role; an unknown token is refused outright.
 *
 * <p>With OIDC configured ({@code quarkus.oidc.tenant-enabled=true}), a bearer token that is a JWT and not one of
 * ours is left to quarkus-oidc's mechanism, which runs after this one; both end in the same roles and the same
 * {@code @RolesAllowed} checks.
 *
 * <p>Authentication is on by default. {@code pipeline.auth.enabled=false} turns it off, explicitly: every caller
 * then holds every role, and the service says so at start and in every log of a request it lets through.
 */
@ApplicationScoped
public class ApiTokenAuthentication implements HttpAuthenticationMechanism {
    private static final Logger LOG = Logger.getLogger(ApiTokenAuthentication.class);
    private static final String BEARER = "Bearer ";

    private final boolean enabled;
    private final boolean oidc;
    private final Map<String, String> roleByTokenSha256 = new HashMap<>();

    public ApiTokenAuthentication(@ConfigProperty(name = "pipeline.auth.enabled", defaultValue = "true") boolean enabled,
                                  @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false") boolean oidc,
                                  @ConfigProperty(name = "pipeline.auth.token-sha256.viewer") Optional<List<String>> viewer,
                                  @ConfigProperty(name = "pipeline.auth.token-sha256.predictor") Optional<List<String>> predictor,
                                  @ConfigProperty(name = "pipeline.auth.token-sha256.operator") Optional<List<String>> operator) {
        this.enabled = enabled;
        this.oidc = oidc;
        viewer.ifPresent(hashes -> hashes.forEach(h -> roleByTokenSha256.put(h.trim().toLowerCase(), Roles.VIEWER)));
        predictor.ifPresent(hashes -> hashes.forEach(h -> roleByTokenSha256.put(h.trim().toLowerCase(), Roles.PREDICTOR)));
        operator.ifPresent(hashes -> hashes.forEach(h -> roleByTokenSha256.put(h.trim().toLowerCase(), Roles.OPERATOR)));
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.warn("AUTHENTICATION IS OFF (pipeline.auth.enabled=false): every caller may ingest, train and predict");
        } else if (roleByTokenSha256.isEmpty()) {
            LOG.warn("No API tokens configured (pipeline.auth.token-sha256.<role>): every endpoint except health answers 401");
        } else {
            LOG.infof("API tokens configured for %d caller(s)", roleByTokenSha256.size());
        }
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        if (!enabled) {
            return Uni.createFrom().item(identity("auth-disabled", Roles.OPERATOR));
        }
        String header = context.request().getHeader("Authorization");
        if (header == null) {
            return Uni.createFrom().optional(Optional.empty());
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().failure(new AuthenticationFailedException("expected 'Authorization: Bearer <token>'"));
        }
        String token = header.substring(BEARER.length()).trim();
        String role = roleByTokenSha256.get(Sha256.hex(token.getBytes(StandardCharsets.UTF_8)));
        if (role == null && oidc && token.chars().filter(c -> c == '.').count() == 2) {
            return Uni.createFrom().optional(Optional.empty()); // a JWT: the OIDC mechanism, tried next, verifies it
        }
        if (role == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown or revoked API token"));
        }
        return Uni.createFrom().item(identity(role + "-token", role));
    }

    private static SecurityIdentity identity(String name, String role) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(name)).addRoles(Roles.granted(role)).build();
    }

    /** Before OIDC's mechanism: an API token is ours to accept or refuse; a JWT is passed on to it. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"mnist-pipeline\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }
}
