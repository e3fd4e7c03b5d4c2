package dev.mnistpipeline.stack;

import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.quarkus.Roles;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One generated API token per role for a stack. The services get only each token's SHA-256
 * ({@code PIPELINE_AUTH_TOKEN_SHA256_<ROLE>}); the tokens themselves stay with whoever started the stack
 * ({@code .pipeline/up/stack.env} for {@code ./pipeline up}).
 */
public record ApiTokens(Map<String, String> byRole) {

    public static ApiTokens generate() {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String role : Roles.ALL) {
            tokens.put(role, "mp_" + role + "_" + LocalInfrastructure.randomKey(24));
        }
        return new ApiTokens(Map.copyOf(tokens));
    }

    public String token(String role) {
        String token = byRole.get(role);
        if (token == null) {
            throw new IllegalArgumentException("no token for role " + role);
        }
        return token;
    }

    /** What a service is told: the hash of each role's token. */
    public Map<String, String> serviceEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        hashesByRole().forEach((role, hash) -> env.put("PIPELINE_AUTH_TOKEN_SHA256_" + role.toUpperCase(Locale.ROOT), hash));
        return env;
    }

    /** Each role's token hash, as {@code pipeline.auth.token-sha256.<role>} takes it. */
    public Map<String, String> hashesByRole() {
        Map<String, String> hashes = new LinkedHashMap<>();
        byRole.forEach((role, token) -> hashes.put(role, Sha256.hex(token.getBytes(StandardCharsets.UTF_8))));
        return hashes;
    }

    /** What a client is told ({@code stack.env}): the tokens themselves. */
    public Map<String, String> clientEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        byRole.forEach((role, token) -> env.put("PIPELINE_TOKEN_" + role.toUpperCase(Locale.ROOT), token));
        return env;
    }
}
