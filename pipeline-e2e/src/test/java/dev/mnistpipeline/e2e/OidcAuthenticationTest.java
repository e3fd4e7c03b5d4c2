package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.quarkus.Roles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.HashMap;

/**
 * The second way in: OIDC bearer tokens (as Keycloak or Dex issue them) next to API tokens, one code path. The
 * ingest service runs with OIDC on, verifying signatures with the provider's public key; the test is the provider
 * and signs its own JWTs (RS256), so nothing leaves this machine. Roles come from the {@code groups} claim.
 */
class OidcAuthenticationTest {

    @Test
    void oidcTokensAndApiTokensReachTheSameRoleChecks(@TempDir Path workDir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair provider = generator.generateKeyPair();
        KeyPair impostor = generator.generateKeyPair();
        Map<String, String> oidc = Map.of("PIPELINE_OIDC_ENABLED", "true",
                "QUARKUS_OIDC_PUBLIC_KEY", Base64.getEncoder().encodeToString(provider.getPublic().getEncoded()));
        Layout layout = new Layout(Path.of("..").toAbsolutePath());
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), Map.of("ingest-service", oidc))
                     .start("ingest-service")) {
            String datasets = stack.url("ingest-service") + "/datasets";
            String viewer = jwt(provider.getPrivate(), List.of("viewer"), 300);
            String operator = jwt(provider.getPrivate(), List.of("operator"), 300);

            assertEquals(200, get(datasets, viewer).status(), "a viewer's OIDC token reads");
            Http.Reply below = post(datasets, viewer);
            assertEquals(403, below.status(), below.body());
            assertTrue(Json.tree(below.body()).path("error").asText().contains("role"), below.body());
            Http.Reply allowed = post(datasets, operator);
            assertEquals(400, allowed.status(), "an operator's token passes; the empty source is the 400: " + allowed.body());

            for (String refused : List.of(jwt(impostor.getPrivate(), List.of("operator"), 300), jwt(provider.getPrivate(), List.of("operator"), -60),
                    jwt(provider.getPrivate(), List.of("operator"), 300, "another-app"), jwt(provider.getPrivate(), List.of("operator"), 300, null))) {
                Http.Reply r = get(datasets, refused);
                assertEquals(401, r.status(), "forged, expired, or for another audience: " + r.body());
            }
            assertEquals(200, get(datasets, stack.tokens().token(Roles.VIEWER)).status(), "API tokens still work");
            assertEquals(401, get(datasets, "mp_viewer_unknown").status(), "an unknown API token is still refused");
        }
    }

    private static Http.Reply get(String url, String token) {
        return Http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build());
    }

    private static Http.Reply post(String url, String token) {
        return Http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"source\":\"\"}")).build());
    }

    /** An RS256 JWT with {@code groups}, expiring {@code expiresIn} seconds from now (negative: already expired). */
    private static String jwt(PrivateKey key, List<String> groups, long expiresIn) throws Exception {
        return jwt(key, groups, expiresIn, "mnist-pipeline");
    }

    /** @param audience the {@code aud} claim; null for none */
    private static String jwt(PrivateKey key, List<String> groups, long expiresIn, String audience) throws Exception {
        long now = Instant.now().getEpochSecond();
        String header = b64(Json.write(Map.of("alg", "RS256", "typ", "JWT")));
        Map<String, Object> claimMap = new HashMap<>(Map.of("iss", "https://issuer.test", "sub", "alice", "groups", groups,
                "iat", now - 120, "exp", now + expiresIn));
        if (audience != null) {
            claimMap.put("aud", audience);
        }
        String claims = b64(Json.write(claimMap));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rs256.sign());
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
